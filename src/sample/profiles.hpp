#pragma once
// What the generator knows about the standard objects: how many records of each to make, and the
// hand-written realism applied after the metadata-driven filling (names, amounts that add up,
// dates in the order of a business process, statuses consistent with those dates).

#include <cstdint>
#include <string_view>

#include "sample/row_context.hpp"

namespace hotcrm::inline v0::sample {

using Shaper = void (*)(RowContext&);

struct ObjectProfile {
  std::string_view object;
  std::int64_t per_scale = 0;  ///< records per unit of scale
  bool fixed = false;          ///< reference data (roles, price books, queues): the same at every scale
  Shaper shape = nullptr;      ///< hand-written realism, or nullptr for the metadata-driven records only
};

/// The profile of a standard object, or nullptr.
const ObjectProfile* find_profile(std::string_view object);

// Hand-written generators, by package.
void shape_user(RowContext& context);
void shape_account(RowContext& context);
void shape_contact(RowContext& context);
void shape_lead(RowContext& context);
void shape_opportunity(RowContext& context);
void shape_contract(RowContext& context);
void shape_product(RowContext& context);
void shape_pricebook(RowContext& context);
void shape_pricebook_entry(RowContext& context);
void shape_quote(RowContext& context);
void shape_quote_line_item(RowContext& context);
void shape_invoice(RowContext& context);
void shape_invoice_line(RowContext& context);
void shape_payment(RowContext& context);
void shape_support_case(RowContext& context);
void shape_case_comment(RowContext& context);
void shape_department(RowContext& context);
void shape_position(RowContext& context);
void shape_employee(RowContext& context);
void shape_candidate(RowContext& context);
void shape_recruitment(RowContext& context);
void shape_application(RowContext& context);

}  // namespace hotcrm::inline v0::sample
