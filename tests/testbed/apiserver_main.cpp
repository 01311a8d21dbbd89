// tailor-test-apiserver: runs the test bed's API server by hand, so a person
// can point kubectl (or the agent) at it. Prints the kubeconfig path and
// serves until interrupted.
#include <signal.h>

#include <iostream>

#include "tests/testbed/test_api_server.h"

int main(int argc, char** argv) {
  tailor::testbed::TestApiServerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--insecure-http") {
      options.tls = false;
    } else if (arg == "--dir" && i + 1 < argc) {
      options.work_dir = argv[++i];
    } else {
      std::cerr << "usage: tailor-test-apiserver [--dir DIR] [--insecure-http]\n"
                   "  --dir DIR         write certificates and the kubeconfig to DIR (kept)\n"
                   "  --insecure-http   serve plain HTTP instead of HTTPS\n";
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before threads start, so they inherit it

  auto server = tailor::testbed::TestApiServer::start(options);
  if (!server) {
    std::cerr << "tailor-test-apiserver: " << server.error().message << "\n";
    return 1;
  }
  std::cout << "serving " << (*server)->url() << "\n"
            << "kubeconfig: " << (*server)->kubeconfig_path() << "\n"
            << "try: kubectl --kubeconfig " << (*server)->kubeconfig_path()
            << " get seccompprofiles\n"
            << std::flush;
  int sig = 0;
  sigwait(&signals, &sig);
  (*server)->stop();
  return 0;
}
