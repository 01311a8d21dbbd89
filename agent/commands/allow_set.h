#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/profile/oci.h"
#include "common/report/report.h"
#include "common/util/result.h"

namespace tailor::agent {

// What a profile lets through, or what a recording needs, in a form two of them compare in:
// per architecture, the syscall names and the argument conditions under which each passes.
// Conditions are compared by the calls they admit, not by how they are written: each is
// normalised (a mask over every bit the argument has is equality; a recorded int argument
// counts by its low 32 bits, the ones the kernel reads), and one allowance contains another
// when each of its alternatives implies one of the other's (an unconditional allow contains
// every conditional one).

struct Allowance {
  bool any_args = false;  // a rule without conditions: every call passes
  // Else the alternatives, by their text ("arg0 == 1 && arg1 == 2"), each with its conditions.
  std::map<std::string, std::vector<common::ArgRule>> conditions;

  bool operator==(const Allowance&) const = default;
};

struct AllowSet {
  std::string what;  // "report", "OCI profile", "SeccompProfile", "default profile"
  std::map<std::string, std::map<std::string, Allowance>> arches;  // token -> name -> allowance
};

// A deny-by-default profile's allow rules on the architectures it covers on this host. Rules
// with Moby's conditions count as Docker applies them to a container with its default
// capabilities on a kernel newer than any minKernel: a rule that needs a capability (includes
// caps) or another architecture is left out; a rule excluded only for capabilities is kept.
common::Result<AllowSet> profile_allow_set(const common::Profile& profile, std::string what);

// The syscalls a recording needs under a profile: the workload's and the runtime's after its
// filter. A complete list of recorded argument values becomes one condition per value.
AllowSet report_allow_set(const common::Report& report);

// Which side admits calls of a syscall the other does not.
enum class Wider { a, b, both };

struct ArgDifference {
  std::string arch;
  std::string name;
  std::string a;  // summaries: "any arguments", "arg0 == 1 or arg0 == 2", "5 conditions"
  std::string b;
  Wider wider = Wider::both;
};

using NamesByArch = std::map<std::string, std::vector<std::string>>;

struct AllowDiff {
  NamesByArch only_a;  // arch -> names, sorted
  NamesByArch only_b;
  std::vector<ArgDifference> args_differ;  // allowed by both, under conditions that differ

  bool identical() const { return only_a.empty() && only_b.empty() && args_differ.empty(); }
};

AllowDiff compare(const AllowSet& a, const AllowSet& b);

// "any arguments", else the alternatives' conditions joined by " or "; more than `shown` of
// them only counted ("5 conditions").
std::string allowance_text(const Allowance& allowance, std::size_t shown = SIZE_MAX);

// The names on `arch`; the architectures either side has.
std::size_t count_on(const NamesByArch& names, const std::string& arch);
std::size_t count_on(const AllowSet& set, const std::string& arch);
std::set<std::string> arches_of(const AllowSet& a, const AllowSet& b);

}  // namespace tailor::agent
