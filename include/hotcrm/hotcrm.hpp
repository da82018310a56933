#pragma once
// Umbrella header: includes the whole public API of libhotcrm.
#include "hotcrm/error.hpp"
#include "hotcrm/formula/formula.hpp"
#include "hotcrm/model/catalog.hpp"
#include "hotcrm/progress.hpp"
#include "hotcrm/scoring/model.hpp"
#include "hotcrm/store/database.hpp"
#include "hotcrm/store/query.hpp"
#include "hotcrm/store/record.hpp"
#include "hotcrm/value.hpp"
#include "hotcrm/version.hpp"
#include "hotcrm/io/text_import.hpp"
