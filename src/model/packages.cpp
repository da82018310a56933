// The packages of the standard catalog and the selection of a subset of them.

#include <algorithm>
#include <set>

#include "hotcrm/error.hpp"
#include "hotcrm/model/catalog.hpp"

namespace hotcrm {
inline namespace v0 {

const std::vector<PackageInfo>& standard_packages() {
  // Dependencies follow the lookups: a package depends on every package its objects point to,
  // so that any selection closed under dependencies is closed under lookups (tested).
  static const std::vector<PackageInfo> packages = {
      {"platform", "Platform", "Users, roles and stored documents: what every other package builds on.", {}},
      {"crm", "Sales", "Accounts, contacts, leads, opportunities, contracts, activities, tasks, notes and e-mail templates.",
       {"platform"}},
      {"marketing", "Marketing", "Campaigns and their members, forms, landing pages, marketing lists and unsubscribes.",
       {"crm"}},
      {"products", "Products and Pricing",
       "Products, bundles, price books, price rules, discount schedules, quotes and approvals.", {"crm"}},
      {"finance", "Finance", "Invoices, invoice lines and payments.", {"crm", "products"}},
      {"support", "Customer Service",
       "Cases, queues, routing and assignment rules, SLAs, business hours, knowledge base, portal and forum.",
       {"crm", "products"}},
      {"hr", "Human Resources",
       "Departments, positions, employees, recruitment, onboarding, attendance, time off, payroll and reviews.",
       {"platform"}},
  };
  return packages;
}

std::vector<std::string> resolve_packages(std::span<const std::string> packages) {
  const auto& known = standard_packages();
  auto find = [&](const std::string& name) {
    return std::find_if(known.begin(), known.end(), [&](const PackageInfo& info) { return info.name == name; });
  };
  std::set<std::string> selected;
  std::vector<std::string> pending;
  for (const auto& name : packages) {
    if (find(name) == known.end()) {
      std::string names;
      for (const auto& info : known) names += (names.empty() ? "" : ", ") + info.name;
      throw UsageError(ErrorCode::usage, "unknown package '" + name + "' (packages: " + names + ")");
    }
    pending.push_back(name);
  }
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    if (!selected.insert(name).second) continue;
    for (const auto& dependency : find(name)->depends) pending.push_back(dependency);
  }
  std::vector<std::string> ordered;
  for (const auto& info : known)
    if (selected.count(info.name)) ordered.push_back(info.name);
  return ordered;
}

}  // namespace v0
}  // namespace hotcrm
