#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "agent/commands/allow_set.h"
#include "agent/commands/commands.h"
#include "agent/commands/diff_input.h"
#include "agent/commands/output.h"
#include "common/reference/reference_profiles.h"
#include "common/syscalls/categories.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

constexpr int kExitDifferent = 1;
constexpr int kExitError = 2;

struct DiffOptions {
  std::string a;
  std::string b;
  std::string against;
  std::string against_file;
  bool json = false;
  bool full = false;
};

// The runtime default B is, when it is one.
struct Against {
  std::string name;     // "docker-default"
  std::string version;  // "moby/profiles cd3bed80, built in", or the file read instead
  bool built_in = true;
};

struct Side {
  std::string source;  // the file, or "docker-default (moby/profiles cd3bed80, built in)"
  AllowSet set;
  std::string header;  // how the text output names it: "app.json (OCI profile)"
};

Side file_side(const std::string& path, AllowSet set) {
  std::string header = path + " (" + set.what + ")";
  return Side{path, std::move(set), std::move(header)};
}

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

// "1 syscall A allows with more arguments, 2 B does", or "... with other argument rules" when
// neither side's conditions contain the other's.
std::string args_text(const std::vector<ArgDifference>& differences) {
  std::map<Wider, std::size_t> by_side;
  for (const auto& d : differences) ++by_side[d.wider];
  std::vector<std::string> parts;
  for (const auto& [wider, side] : {std::pair{Wider::a, " A"}, std::pair{Wider::b, " B"}}) {
    if (by_side[wider] > 0)
      parts.push_back(plural(by_side[wider], "syscall") + side + " allows with more arguments");
  }
  if (by_side[Wider::both] > 0 || parts.empty()) {
    parts.push_back(plural(by_side[Wider::both], "syscall") + " with other argument rules");
  }
  return common::join(parts, ", ");
}

std::string summary(const AllowDiff& diff, const std::optional<Against>& against) {
  if (diff.identical()) {
    return "identical: A and B allow the same syscalls with the same argument rules";
  }
  const std::string args = args_text(diff.args_differ);
  if (against) {
    return "A removes " + count_text(diff.only_b) + " syscalls " + against->name + " allows, " +
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

std::string pad(const std::string& text, std::size_t width, bool right) {
  const std::string fill(width > text.size() ? width - text.size() : 0, ' ');
  return right ? fill + text : text + fill;
}

// Per architecture: what the default allows, what A allows, what A removes and adds.
std::string render_counts(const Side& a, const Side& b, const AllowDiff& diff,
                          const Against& against) {
  const std::vector<std::string> headers = {"architecture", "allowed by " + against.name,
                                            "allowed by A", "removed", "added"};
  std::vector<std::vector<std::string>> rows = {headers};
  for (const auto& arch : arches_of(a.set, b.set)) {
    rows.push_back(
        {arch, std::to_string(count_on(b.set, arch)), std::to_string(count_on(a.set, arch)),
         std::to_string(count_on(diff.only_b, arch)), std::to_string(count_on(diff.only_a, arch))});
  }
  std::vector<std::size_t> widths(headers.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) line += "  " + pad(row[i], widths[i], i > 0);
    out += line + "\n";
  }
  return out;
}

std::string wider_text(Wider wider) {
  switch (wider) {
    case Wider::a:
      return "A allows more";
    case Wider::b:
      return "B allows more";
    case Wider::both:
      break;
  }
  return "each allows calls the other does not";
}

std::string render_text(const Side& a, const Side& b, const AllowDiff& diff,
                        const std::optional<Against>& against, bool full) {
  std::string out = "A: " + a.header + "\nB: " + b.header + "\n";
  const bool lists = full || !against;
  if (lists) {
    out += render_names(
        against ? "Added relative to " + against->name + ", only in A" : "Only in A", diff.only_a);
    out +=
        render_names(against ? "Removed relative to " + against->name + ", only in B" : "Only in B",
                     diff.only_b);
  } else {
    out += render_counts(a, b, diff, *against);
  }
  if (!diff.args_differ.empty()) {
    out += "Argument rules differ (" + std::to_string(diff.args_differ.size()) + "):\n";
    for (const auto& d : diff.args_differ) {
      out += "  " + d.arch + " " + d.name + ": A: " + d.a + "; B: " + d.b + "; " +
             wider_text(d.wider) + "\n";
    }
  }
  for (const auto& [names, side] : {std::pair{&diff.only_a, against ? "added" : "only in A"},
                                    std::pair{&diff.only_b, against ? "removed" : "only in B"}}) {
    if (const auto listed = sensitive(*names); !listed.empty())
      out += std::string("Security-sensitive, ") + side + ": " + common::join(listed) + "\n";
  }
  out += summary(diff, against) + "\n";
  if (!lists && (!diff.only_a.empty() || !diff.only_b.empty())) {
    out += "--full lists every name\n";
  }
  return out;
}

std::string render_json(const Side& a, const Side& b, const AllowDiff& diff,
                        const std::optional<Against>& against) {
  nlohmann::ordered_json args = nlohmann::ordered_json::array();
  for (const auto& d : diff.args_differ) {
    const char* wider = d.wider == Wider::a ? "a" : d.wider == Wider::b ? "b" : "both";
    args.push_back({{"arch", d.arch}, {"name", d.name}, {"a", d.a}, {"b", d.b}, {"wider", wider}});
  }
  nlohmann::ordered_json per_arch = nlohmann::ordered_json::object();
  for (const auto& arch : arches_of(a.set, b.set)) {
    per_arch[arch] = {{"allowed_a", count_on(a.set, arch)},
                      {"allowed_b", count_on(b.set, arch)},
                      {"only_a", count_on(diff.only_a, arch)},
                      {"only_b", count_on(diff.only_b, arch)}};
  }
  nlohmann::ordered_json against_json = nullptr;
  if (against) {
    against_json = {
        {"name", against->name}, {"version", against->version}, {"built_in", against->built_in}};
  }
  const nlohmann::ordered_json out = {
      {"a", {{"source", a.source}, {"kind", a.set.what}}},
      {"b", {{"source", b.source}, {"kind", b.set.what}}},
      {"against", against_json},
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
      {"per_arch", per_arch},
      {"summary", summary(diff, against)},
  };
  return out.dump(2) + "\n";
}

common::Result<Against> against_of(const DiffOptions& options) {
  const auto reference = common::reference_profile(options.against);
  if (!reference.ok()) return common::make_error("--against: " + reference.error().message);
  if (!options.against_file.empty()) return Against{options.against, options.against_file, false};
  return Against{options.against, reference->source() + ", built in", true};
}

common::Result<Side> second_side(const DiffOptions& options,
                                 const std::optional<Against>& against) {
  if (!against) {
    auto set = load_diff_input(options.b);
    if (!set.ok()) return set.error();
    return file_side(options.b, std::move(*set));
  }
  auto set = load_default_profile(against->name, options.against_file);
  if (!set.ok()) return set.error();
  std::string source = against->name + " (" + against->version + ")";
  return Side{source, std::move(*set), source};
}

int diff(const DiffOptions& options) {
  if (options.b.empty() == options.against.empty()) {
    return fail(
        common::make_error("compare with a second file or with --against NAME, one of the two"),
        kExitError);
  }
  if (!options.against_file.empty() && options.against.empty()) {
    return fail(common::make_error("--against-file goes with --against NAME"), kExitError);
  }
  std::optional<Against> against;
  if (!options.against.empty()) {
    auto found = against_of(options);
    if (!found.ok()) return fail(found.error(), kExitError);
    against = std::move(*found);
  }
  auto b = second_side(options, against);
  if (!b.ok()) return fail(b.error(), kExitError);
  auto a_set = load_diff_input(options.a);
  if (!a_set.ok()) return fail(a_set.error(), kExitError);
  const Side a = file_side(options.a, std::move(*a_set));
  const AllowDiff result = compare(a.set, b->set);
  const std::string text = options.json ? render_json(a, *b, result, against)
                                        : render_text(a, *b, result, against, options.full);
  if (int status = write_or_fail("", text, kExitError); status != 0) return status;
  return result.identical() ? 0 : kExitDifferent;
}

std::string default_names() {
  std::vector<std::string> names;
  for (const auto& profile : common::reference_profiles()) names.emplace_back(profile.name);
  return common::join(names);
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
                  "Compare with a runtime's default profile, built in: " + default_names());
  cmd->add_option("--against-file,--docker-profile", options->against_file,
                  "Read the --against default from this file instead of the built-in copy");
  cmd->add_flag("--full", options->full,
                "With --against: list every name, not counts per architecture");
  cmd->add_flag("--json", options->json, "Print the differences as JSON (every name)");
  cmd->callback([options, &choice] { choice.run = [options] { return diff(*options); }; });
}

}  // namespace tailor::agent
