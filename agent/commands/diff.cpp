#include "agent/commands/diff.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/commands/allow_set.h"
#include "agent/commands/diff_input.h"
#include "agent/commands/output.h"
#include "common/syscalls/categories.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

constexpr int kExitDifferent = 1;
constexpr int kExitError = 2;
constexpr const char* kDockerDefault = "docker-default";

struct DiffOptions {
  std::string a;
  std::string b;
  std::string against;
  std::string docker_profile;
  bool json = false;
};

struct Side {
  std::string label;  // the file, or "docker-default (PATH)"
  AllowSet set;
};

using NamesByArch = std::map<std::string, std::vector<std::string>>;

std::size_t count(const NamesByArch& names) {
  std::size_t n = 0;
  for (const auto& [arch, list] : names) n += list.size();
  return n;
}

// Security-sensitive names, once each whatever the architecture.
std::vector<std::string> sensitive(const NamesByArch& names) {
  std::set<std::string> out;
  for (const auto& [arch, list] : names) {
    for (const auto& name : list) {
      if (common::is_security_sensitive(name)) out.insert(name);
    }
  }
  return {out.begin(), out.end()};
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// "950 (x32 301, x86 348, x86_64 301)": a profile's 32-bit arches can dwarf the native one.
std::string count_text(const NamesByArch& names) {
  std::string out = std::to_string(count(names));
  if (names.size() < 2) return out;
  std::vector<std::string> per_arch;
  for (const auto& [arch, list] : names)
    per_arch.push_back(arch + " " + std::to_string(list.size()));
  return out + " (" + common::join(per_arch) + ")";
}

std::string summary(const AllowDiff& diff, bool against_docker) {
  if (diff.identical()) {
    return "identical: A and B allow the same syscalls with the same argument rules";
  }
  const std::string args =
      plural(diff.args_differ.size(), "syscall") + " with other argument rules";
  if (against_docker) {
    return "A removes " + count_text(diff.only_b) + " syscalls Docker's default allows, " +
           std::to_string(sensitive(diff.only_b).size()) + " of them security-sensitive; adds " +
           count_text(diff.only_a) + "; " + args;
  }
  return "A allows " + count_text(diff.only_a) + " syscalls B does not; B allows " +
         count_text(diff.only_b) + " A does not; " + args;
}

std::string render_names(const std::string& title, const NamesByArch& names) {
  if (names.empty()) return "";
  std::string out = title + " (" + std::to_string(count(names)) + "):\n";
  for (const auto& [arch, list] : names) {
    out += "  " + arch + " (" + std::to_string(list.size()) + "): " + common::join(list) + "\n";
  }
  return out;
}

std::string render_text(const Side& a, const Side& b, const AllowDiff& diff, bool against_docker) {
  std::string out =
      "A: " + a.label + " (" + a.set.what + ")\nB: " + b.label + " (" + b.set.what + ")\n";
  out += render_names(
      against_docker ? "Added relative to Docker's default, only in A" : "Only in A", diff.only_a);
  out +=
      render_names(against_docker ? "Removed relative to Docker's default, only in B" : "Only in B",
                   diff.only_b);
  if (!diff.args_differ.empty()) {
    out += "Argument rules differ (" + std::to_string(diff.args_differ.size()) + "):\n";
    for (const auto& d : diff.args_differ) {
      out += "  " + d.arch + " " + d.name + ": A: " + d.a + "; B: " + d.b + "\n";
    }
  }
  if (const auto names = sensitive(diff.only_a); !names.empty()) {
    out += "Security-sensitive, only in A: " + common::join(names) + "\n";
  }
  if (const auto names = sensitive(diff.only_b); !names.empty()) {
    out += std::string(against_docker ? "Security-sensitive, removed: "
                                      : "Security-sensitive, only in B: ") +
           common::join(names) + "\n";
  }
  return out + summary(diff, against_docker) + "\n";
}

std::string render_json(const Side& a, const Side& b, const AllowDiff& diff, bool against_docker) {
  nlohmann::ordered_json args = nlohmann::ordered_json::array();
  for (const auto& d : diff.args_differ) {
    args.push_back({{"arch", d.arch}, {"name", d.name}, {"a", d.a}, {"b", d.b}});
  }
  const nlohmann::ordered_json out = {
      {"a", {{"source", a.label}, {"kind", a.set.what}}},
      {"b", {{"source", b.label}, {"kind", b.set.what}}},
      {"against_docker_default", against_docker},
      {"identical", diff.identical()},
      {"only_a", diff.only_a},
      {"only_b", diff.only_b},
      {"args_differ", args},
      {"security_sensitive_only_a", sensitive(diff.only_a)},
      {"security_sensitive_only_b", sensitive(diff.only_b)},
      {"counts",
       {{"only_a", count(diff.only_a)},
        {"only_b", count(diff.only_b)},
        {"args_differ", diff.args_differ.size()}}},
      {"summary", summary(diff, against_docker)},
  };
  return out.dump(2) + "\n";
}

common::Result<Side> second_side(const DiffOptions& options) {
  if (options.b.empty() == options.against.empty()) {
    return common::make_error(
        "compare with a second file or with --against docker-default, one of the two");
  }
  if (!options.b.empty()) {
    if (!options.docker_profile.empty()) {
      return common::make_error("--docker-profile goes with --against docker-default");
    }
    auto set = load_diff_input(options.b);
    if (!set.ok()) return set.error();
    return Side{options.b, std::move(*set)};
  }
  if (options.against != kDockerDefault) {
    return common::make_error("unknown --against \"" + options.against +
                              "\"; valid: " + kDockerDefault);
  }
  auto path = options.docker_profile.empty() ? find_docker_profile()
                                             : common::Result<std::string>(options.docker_profile);
  if (!path.ok()) return path.error();
  auto set = load_docker_profile(*path);
  if (!set.ok()) return set.error();
  return Side{std::string(kDockerDefault) + " " + *path, std::move(*set)};
}

int diff(const DiffOptions& options) {
  auto b = second_side(options);
  if (!b.ok()) return fail(b.error(), kExitError);
  auto a_set = load_diff_input(options.a);
  if (!a_set.ok()) return fail(a_set.error(), kExitError);
  const Side a{options.a, std::move(*a_set)};
  const bool against_docker = !options.against.empty();
  const AllowDiff result = compare(a.set, b->set);
  const std::string text = options.json ? render_json(a, *b, result, against_docker)
                                        : render_text(a, *b, result, against_docker);
  if (auto written = write_output("", text); !written.ok())
    return fail(written.error(), kExitError);
  return result.identical() ? 0 : kExitDifferent;
}

}  // namespace

void add_diff_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* cmd = app.add_subcommand("diff",
                                     "What two reports or profiles allow that the other does not "
                                     "(exit 0 same, 1 different, 2 error)");
  cmd->add_option("a", options->a, "Report, OCI profile (JSON) or SeccompProfile (YAML)")
      ->required();
  cmd->add_option("b", options->b, "The other report or profile");
  cmd->add_option("--against", options->against,
                  "Compare with a known profile instead: docker-default");
  cmd->add_option(
      "--docker-profile", options->docker_profile,
      "Docker's default profile (moby's seccomp/default.json); default: "
      "$TAILOR_DOCKER_PROFILE, /usr/share/tailor/docker-default.json, /etc/docker/seccomp.json");
  cmd->add_flag("--json", options->json, "Print the differences as JSON");
  cmd->callback([options, &choice] { choice.run = [options] { return diff(*options); }; });
}

}  // namespace tailor::agent
