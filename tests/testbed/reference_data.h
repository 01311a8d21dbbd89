#pragma once

#include <string>

namespace tailor::testbed {

// The reference data (SPO CRDs and examples, data/reference): $TAILOR_REFERENCE_DIR if set,
// else the source tree's data/reference.
std::string reference_dir();

}  // namespace tailor::testbed
