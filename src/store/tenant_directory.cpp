// The tenant-directory layout (StoreLayout::tenant_files): naming, opening, migrating and listing
// the per-tenant files. See tenant_directory.hpp and docs/store.md ("Tenant layouts").
#include "store/tenant_directory.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "store/codec.hpp"
#include "workflow/engine.hpp"

namespace hotcrm::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxTenantName = 64;
constexpr const char* kCatalogFile = "catalog.json";
constexpr const char* kTenantExtension = ".db";

bool is_tenant_name(std::string_view tenant) noexcept {
  if (tenant.empty() || tenant.size() > kMaxTenantName) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(tenant.front())) return false;
  return std::all_of(tenant.begin(), tenant.end(), [&](char c) { return lower_or_digit(c) || c == '_' || c == '-'; });
}

std::string untagged(const std::exception& error) {
  std::string_view what = error.what();
  if (what.starts_with("[hotcrm.")) {
    if (auto end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return std::string(what);
}

/// Rethrows the exception in flight with the tenant and its file in front of the message, keeping
/// its class and code (the errors opening a file can raise).
[[noreturn]] void rethrow_for_tenant(std::string_view tenant, const fs::path& file) {
  const std::string where = fmt::format("tenant '{}' ({}): ", tenant, file.string());
  try {
    throw;
  } catch (const SchemaError& error) {
    throw SchemaError(error.code(), where + untagged(error));
  } catch (const StoreError& error) {
    throw StoreError(error.code(), where + untagged(error));
  } catch (const UsageError& error) {
    throw UsageError(error.code(), where + untagged(error));
  }
}

fs::path file_of(const TenantDirectory& directory, std::string_view tenant) {
  return directory.path / (std::string(tenant) + kTenantExtension);
}

std::optional<Catalog> read_directory_catalog(const fs::path& directory) {
  const fs::path file = directory / kCatalogFile;
  std::error_code error;
  if (!fs::exists(file, error)) return std::nullopt;
  return Catalog::load(file);  // a damaged file is a SchemaError naming it
}

/// Replaces DIR/catalog.json atomically (written beside it, then renamed), so that a crash leaves
/// the old catalog or the new one.
void write_directory_catalog(const fs::path& directory, const Catalog& catalog) {
  const fs::path file = directory / kCatalogFile;
  const fs::path temporary = directory / (std::string(kCatalogFile) + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error(ErrorCode::io, fmt::format("cannot write '{}': {}", temporary.string(), std::strerror(errno)));
    out << catalog.to_json();
    out.close();
    if (!out) throw Error(ErrorCode::io, fmt::format("cannot write '{}'", temporary.string()));
  }
  std::error_code error;
  fs::rename(temporary, file, error);
  if (error) throw Error(ErrorCode::io, fmt::format("cannot replace '{}': {}", file.string(), error.message()));
}

/// A directory without catalog.json may become a tenant directory only when it holds nothing but
/// tenant files: opening some unrelated folder must not scatter database files into it.
void require_tenant_files_only(const fs::path& directory) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    auto tenant_part = [&](std::string_view suffix) {
      return name.ends_with(suffix) && is_tenant_name(std::string_view(name).substr(0, name.size() - suffix.size()));
    };
    if (tenant_part(".db") || tenant_part(".db-wal") || tenant_part(".db-shm")) continue;
    throw UsageError(ErrorCode::usage,
                     fmt::format("'{}' is not a tenant directory (no {}) and holds other files ('{}'): "
                                 "give an empty or new folder",
                                 directory.string(), kCatalogFile, name));
  }
  if (error)
    throw Error(ErrorCode::io, fmt::format("cannot list the tenant directory '{}': {}", directory.string(), error.message()));
}

std::string describe(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += "\n  " + item;
  return text;
}

/// Brings every existing tenant file to `target`: all are planned first, so that a refused
/// (destructive) migration changes none of them; then each is migrated in its own transaction.
void migrate_tenant_files(TenantDirectory& directory, const Catalog& target, const OpenOptions& options) {
  const auto tenants = list_tenant_files(directory.path);
  std::vector<std::string> refused;
  for (const auto& tenant : tenants) {
    try {
      auto plan = Database::plan_migration(file_of(directory, tenant), target, options.allow_destructive);
      for (const auto& step : plan.steps)
        if (step.starts_with("REFUSED")) refused.push_back(fmt::format("tenant {}: {}", tenant, step));
    } catch (const Error&) {
      rethrow_for_tenant(tenant, file_of(directory, tenant));
    }
  }
  if (!refused.empty())
    throw SchemaError(ErrorCode::schema_conflict,
                      "the catalog would lose data in tenant files (none was changed); reopen with allow_destructive "
                      "to accept:" + describe(refused));
  OpenOptions file_options = options;
  file_options.catalog = target;
  for (const auto& tenant : tenants) {
    try {
      auto impl = open_store_file(file_of(directory, tenant), file_options, tenant);
      for (const auto& step : impl->migration.steps) directory.migration.steps.push_back(fmt::format("tenant {}: {}", tenant, step));
      close_store_file(*impl);
    } catch (const Error&) {
      rethrow_for_tenant(tenant, file_of(directory, tenant));
    }
  }
}

/// Opens a tenant's file (the directory's mutex is held).
std::shared_ptr<Session::Impl> open_tenant_file(TenantDirectory& directory, const std::string& tenant) {
  const fs::path file = file_of(directory, tenant);
  std::error_code error;
  const auto status = fs::status(file, error);
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw UsageError(ErrorCode::usage, fmt::format("tenant '{}': '{}' is not a file", tenant, file.string()));
  if (!fs::exists(status) && directory.options.read_only)
    throw UsageError(ErrorCode::usage, fmt::format("tenant '{}' has no file in '{}' (the tenant directory is opened "
                                                   "read-only, so it is not created)",
                                                   tenant, directory.path.string()));
  std::shared_ptr<Session::Impl> impl;
  try {
    impl = open_store_file(file, directory.options, tenant);
  } catch (const Error&) {
    rethrow_for_tenant(tenant, file);
  }
  impl->directory = directory.weak_from_this();
  if (!directory.actions.empty()) {
    auto& callbacks = runtime(*impl).callbacks;
    for (const auto& [name, callback] : directory.actions) callbacks.insert_or_assign(name, callback);
  }
  return impl;
}

}  // namespace

void validate_tenant_name(std::string_view tenant) {
  if (is_tenant_name(tenant)) return;
  std::string why = tenant.empty()                     ? "it is empty"
                    : tenant.size() > kMaxTenantName ? fmt::format("it is longer than {} characters", kMaxTenantName)
                                                       : "use 1 to 64 of a-z, 0-9, '_' and '-', beginning with a letter or digit";
  throw UsageError(ErrorCode::usage,
                   fmt::format("invalid tenant name '{}' for a tenant directory: {} (the name becomes a file name)", tenant, why));
}

std::shared_ptr<TenantDirectory> open_tenant_directory(const fs::path& path, OpenOptions options) {
  if (path.empty() || path == ":memory:")
    throw UsageError(ErrorCode::usage, "a tenant directory needs a folder path (not \":memory:\")");
  validate_tenant_name(options.tenant);
  std::error_code error;
  const auto status = fs::status(path, error);
  if (fs::exists(status) && !fs::is_directory(status))
    throw UsageError(ErrorCode::usage, fmt::format("'{}' is a file, not a tenant directory (open it with the "
                                                   "single_file layout)",
                                                   path.string()));
  if (!fs::exists(status)) {
    if (options.read_only || !options.create)
      throw UsageError(ErrorCode::usage, fmt::format("no tenant directory at '{}'", path.string()));
    fs::create_directories(path, error);
    if (error)
      throw Error(ErrorCode::io, fmt::format("cannot create the tenant directory '{}': {}", path.string(), error.message()));
  }
  auto directory = std::make_shared<TenantDirectory>();
  directory->path = path;
  directory->own_tenant = options.tenant;

  const auto stored = read_directory_catalog(path);
  Catalog target = options.catalog ? *options.catalog : stored ? *stored : Catalog::standard();
  if (!stored || stored->to_json() != target.to_json()) {
    if (options.read_only)
      throw UsageError(ErrorCode::usage,
                       stored ? "the catalog differs from the tenant directory's, but it is opened read-only"
                              : fmt::format("'{}' is not a tenant directory (no {}), and it is opened read-only",
                                            path.string(), kCatalogFile));
    if (!stored) require_tenant_files_only(path);
    migrate_tenant_files(*directory, target, options);
    write_directory_catalog(path, target);
  }
  options.catalog = std::move(target);
  options.layout = StoreLayout::single_file;
  options.create = true;  // `create` was about the directory: tenant files appear on first use
  directory->options = std::move(options);

  std::lock_guard lock(directory->mutex);
  if (directory->options.read_only && !fs::exists(file_of(*directory, directory->own_tenant), error)) {
    // The Database's own session has no file to read: a state whose every call says so.
    auto placeholder = std::make_shared<Session::Impl>();
    placeholder->path = file_of(*directory, directory->own_tenant);
    placeholder->catalog = *directory->options.catalog;
    placeholder->read_only = true;
    placeholder->clock = directory->options.clock ? directory->options.clock : system_clock();
    placeholder->unavailable = fmt::format("tenant '{}' has no file in '{}' (the tenant directory is opened read-only)",
                                           directory->own_tenant, path.string());
    directory->own = std::move(placeholder);
  } else {
    directory->own = open_tenant_file(*directory, directory->own_tenant);
    directory->files.emplace(directory->own_tenant, directory->own);
    for (const auto& step : directory->own->migration.steps)  // a new file's creation, for `hotcrm init`
      directory->migration.steps.push_back(fmt::format("tenant {}: {}", directory->own_tenant, step));
  }
  return directory;
}

std::shared_ptr<Session::Impl> tenant_file(TenantDirectory& directory, std::string_view tenant) {
  validate_tenant_name(tenant);
  std::lock_guard lock(directory.mutex);
  if (directory.closed) throw UsageError(ErrorCode::usage, "the database is closed");
  if (auto it = directory.files.find(tenant); it != directory.files.end()) return it->second;
  auto impl = open_tenant_file(directory, std::string(tenant));
  directory.files.emplace(std::string(tenant), impl);
  return impl;
}

std::vector<std::string> list_tenant_files(const fs::path& directory) {
  std::vector<std::string> tenants;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.path().extension() != kTenantExtension || !entry.is_regular_file(error)) continue;
    std::string tenant = entry.path().stem().string();
    if (is_tenant_name(tenant)) tenants.push_back(std::move(tenant));
  }
  if (error)
    throw Error(ErrorCode::io, fmt::format("cannot list the tenant directory '{}': {}", directory.string(), error.message()));
  std::sort(tenants.begin(), tenants.end());
  return tenants;
}

std::vector<std::string> stored_tenants(Session::Impl& impl) {
  std::set<std::string> tenants;
  for (const auto& object : impl.catalog.objects()) {
    // DISTINCT over the leading column of the (tenant_id, ...) indexes: an index walk per table.
    auto& statement = impl.db().prepare(fmt::format("SELECT DISTINCT \"tenant_id\" FROM {}", quote(object.name)));
    while (statement.step()) tenants.emplace(statement.column_text(0));
    statement.reset();
  }
  return {tenants.begin(), tenants.end()};
}

void close_tenant_directory(TenantDirectory& directory) {
  std::lock_guard lock(directory.mutex);
  directory.closed = true;
  for (auto& [tenant, impl] : directory.files) close_store_file(*impl);
  directory.files.clear();
}

void share_action(Session::Impl& impl, const std::string& name, const ActionCallback& callback) {
  auto directory = impl.directory.lock();
  if (!directory) return;
  std::vector<std::shared_ptr<Session::Impl>> others;
  {
    std::lock_guard lock(directory->mutex);
    directory->actions.insert_or_assign(name, callback);
    for (const auto& [tenant, file] : directory->files)
      if (file.get() != &impl) others.push_back(file);
  }
  // Each file's own lock, one at a time and without the directory's: a callback running in one
  // tenant may open a session of another.
  for (const auto& other : others) {
    std::lock_guard lock(other->mutex);
    runtime(*other).callbacks.insert_or_assign(name, callback);
  }
}

}  // namespace hotcrm::detail
