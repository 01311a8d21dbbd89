#pragma once

#include <string>
#include <vector>

#include "common/util/result.h"
#include "tests/support/process.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::testbed {

// Runs the real kubectl against `server` with its kubeconfig and a cache
// directory of its own, so runs never share discovery caches.
common::Result<testing::ProcessResult> run_kubectl(const TestApiServer& server,
                                                   const std::vector<std::string>& args);

}  // namespace tailor::testbed
