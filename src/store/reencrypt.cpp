// Key rotation for encrypted fields (docs/security.md, "Field-level encryption").
#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "store/codec.hpp"
#include "store/field_cipher.hpp"
#include "store/history.hpp"
#include "store/impl.hpp"

namespace hotcrm {
inline namespace v0 {

std::int64_t Database::reencrypt() {
  std::lock_guard lock(impl_->mutex);
  impl_->require_writable();
  auto& connection = impl_->db();
  const detail::FieldCipher& cipher = *connection.cipher();
  const std::string current = cipher.current_key_id();
  // The clear value does not change: no history entry (it would only show two ciphertexts).
  detail::HistoryPause pause(*impl_);
  detail::Transaction transaction(connection);
  std::int64_t resealed = 0;
  for (const auto& object : impl_->catalog.objects()) {
    for (const auto& field : object.fields) {
      if (!field.encrypted || !field.is_stored()) continue;
      const std::string table = detail::quote(object.name);
      const std::string column = detail::quote(field.name);
      auto& select = connection.prepare(fmt::format("SELECT rowid, {} FROM {} WHERE {} IS NOT NULL", column, table, column));
      std::vector<std::pair<std::int64_t, std::string>> stale;
      while (select.step()) {
        const auto sealed = select.column_blob(1);
        if (detail::FieldCipher::key_id_of(sealed) != current) stale.emplace_back(select.column_int(0), std::string(sealed));
      }
      select.reset();
      auto& update = connection.prepare(fmt::format("UPDATE {} SET {} = ? WHERE rowid = ?", table, column));
      for (const auto& [rowid, sealed] : stale) {
        const Value value = detail::open_value(&cipher, field, sealed);
        update.bind_blob(1, detail::seal_value(&cipher, field, value));
        update.bind_int(2, rowid);
        update.step();
        update.reset();
        ++resealed;
      }
    }
  }
  transaction.commit();
  return resealed;
}

}  // namespace v0
}  // namespace hotcrm
