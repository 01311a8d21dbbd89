#include "tests/testbed/kubectl.h"

namespace tailor::testbed {

common::Result<testing::ProcessResult> run_kubectl(const TestApiServer& server,
                                                   const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"kubectl", "--kubeconfig", server.kubeconfig_path(),
                                   "--cache-dir", server.work_dir() + "/kubectl-cache"};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_command(argv, std::chrono::seconds(60));
}

}  // namespace tailor::testbed
