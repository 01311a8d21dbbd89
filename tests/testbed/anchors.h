#pragma once

#include <string>

namespace tailor::testbed {

// The shared anchor data (SPO CRDs and examples): $TAILOR_ANCHORS_DIR if set,
// else the directory the build was configured with (../shared/anchors).
std::string anchors_dir();

}  // namespace tailor::testbed
