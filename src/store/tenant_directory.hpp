#pragma once
// StoreLayout::tenant_files: a directory holding one database file per tenant (DIR/<tenant>.db) and
// the catalog they share (DIR/catalog.json). Each file is an ordinary single-file database whose
// rows all belong to its tenant; a Session of tenant T simply works on T's file state, so every
// Session call behaves as in the single-file layout without knowing about the directory.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/store/database.hpp"
#include "store/impl.hpp"

namespace hotcrm::detail {

struct TenantDirectory : std::enable_shared_from_this<TenantDirectory> {
  std::filesystem::path path;
  /// The options every tenant file is opened with: the shared catalog, the caller's clock, seed,
  /// read_only and allow_destructive.
  OpenOptions options;
  std::string own_tenant;                 ///< the tenant of the Database's own session
  std::shared_ptr<Session::Impl> own;     ///< its file's state
  MigrationReport migration;              ///< what open() did to the tenant files
  std::mutex mutex;                       ///< guards files, actions and closed
  std::map<std::string, std::shared_ptr<Session::Impl>, std::less<>> files;  ///< opened so far
  /// Custom-action callbacks registered through any tenant: given to every tenant file.
  std::map<std::string, ActionCallback, std::less<>> actions;
  bool closed = false;
};

/// Throws UsageError unless `tenant` can name a file of a tenant directory: 1 to 64 characters of
/// a-z, 0-9, '_' and '-', beginning with a letter or digit (no separators, dots, upper case).
void validate_tenant_name(std::string_view tenant);

/// Opens (creating if allowed) a tenant directory, migrates its tenant files when the catalog
/// changed, and opens the file of options.tenant.
std::shared_ptr<TenantDirectory> open_tenant_directory(const std::filesystem::path& path, OpenOptions options);

/// The state of `tenant`'s file: cached, or opened now (created unless read-only).
std::shared_ptr<Session::Impl> tenant_file(TenantDirectory& directory, std::string_view tenant);

/// The tenants with a file in `directory`, sorted.
std::vector<std::string> list_tenant_files(const std::filesystem::path& directory);

/// The distinct tenant_id values of the object tables of a single-file database, sorted.
std::vector<std::string> stored_tenants(Session::Impl& impl);

/// Closes every open tenant file; later tenant_file calls throw UsageError.
void close_tenant_directory(TenantDirectory& directory);

/// After register_action on `impl`: gives the callback to the other files of its tenant directory
/// (and to those opened later). No-op for a single-file database. Call without holding impl's mutex.
void share_action(Session::Impl& impl, const std::string& name, const ActionCallback& callback);

}  // namespace hotcrm::detail
