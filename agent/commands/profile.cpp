#include "agent/commands/profile.h"

#include <cstdio>
#include <memory>

#include "common/profile/generate.h"
#include "common/profile/oci.h"
#include "common/report/report.h"
#include "common/util/file.h"

namespace tailor::agent {
namespace {

struct ProfileOptions {
  std::string file;
  std::string output;
  std::vector<std::string> arches;
};

int write_profile(const ProfileOptions& options) {
  auto report = common::read_report_file(options.file);
  if (!report) return fail(report.error());
  auto generated = common::generate_profile(*report, common::GenerateOptions{options.arches});
  if (!generated) return fail(generated.error(), kExitUsage);
  for (const auto& warning : generated->warnings) std::fprintf(stderr, "tailor: warning: %s\n", warning.c_str());
  const std::string json = common::encode_profile(generated->profile) + "\n";
  if (options.output.empty() || options.output == "-") {
    std::fwrite(json.data(), 1, json.size(), stdout);
    return 0;
  }
  if (auto written = common::write_file_atomically(options.output, json); !written) return fail(written.error());
  size_t allowed = 0;
  for (const auto& rule : generated->profile.syscalls)
    if (rule.action == common::Action::allow) allowed += rule.names.size();
  std::fprintf(stderr, "tailor: profile allows %zu syscalls -> %s\n", allowed, options.output.c_str());
  return 0;
}

}  // namespace

void add_profile_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<ProfileOptions>();
  CLI::App* cmd = app.add_subcommand("profile", "Write the least-privilege seccomp profile of a recording");
  cmd->add_option("file", options->file, "Report file written by tailor record")->required();
  cmd->add_option("-o,--output", options->output, "Profile file (default: standard output)");
  cmd->add_option("--arch", options->arches,
                  "Also cover this architecture (x86_64, aarch64, SCMP_ARCH_ARM, ...; repeatable)");
  cmd->callback([options, &choice] { choice.run = [options] { return write_profile(*options); }; });
}

}  // namespace tailor::agent
