#include "agent/commands/diff_defaults.h"

#include "agent/commands/diff_input.h"
#include "common/reference/reference_profiles.h"
#include "common/util/strings.h"

namespace tailor::agent {

common::Result<std::vector<AgainstDefault>> against_defaults(const AllowSet& set) {
  std::vector<AgainstDefault> out;
  for (const auto& reference : common::reference_profiles()) {
    auto allows = load_default_profile(reference.name);
    if (!allows.ok()) return allows.error();
    AllowDiff diff = compare(set, *allows);
    out.push_back(
        {std::string(reference.name), reference.source(), std::move(*allows), std::move(diff)});
  }
  return out;
}

common::Result<std::vector<DefaultFit>> fit_against_defaults(const common::Report& report) {
  const AllowSet needs = report_allow_set(report);
  const auto defaults = against_defaults(needs);
  if (!defaults.ok()) return defaults.error();
  std::vector<DefaultFit> fits;
  for (const auto& [name, version, allows, diff] : *defaults) {
    for (const auto& [arch, names] : needs.arches) {
      DefaultFit fit{name, version, arch};
      fit.covered = allows.arches.contains(arch);
      fit.needed = names.size();
      if (const auto denied = diff.only_a.find(arch); denied != diff.only_a.end()) {
        fit.denied = denied->second;
      }
      for (const auto& d : diff.args_differ) {
        if (d.arch == arch && d.wider != Wider::b) fit.denied_by_arguments.push_back(d.name);
      }
      fit.allowed = fit.needed - fit.denied.size() - fit.denied_by_arguments.size();
      fit.unused = count_on(diff.only_b, arch);
      fits.push_back(std::move(fit));
    }
  }
  return fits;
}

std::string render_default_fits(const std::vector<DefaultFit>& fits) {
  if (fits.empty()) return "";
  std::string out = "Against the runtime defaults (tailor diff REPORT --against NAME):\n";
  for (const auto& fit : fits) {
    out += "  " + fit.name + " (" + fit.version + ") on " + fit.arch + ": ";
    if (!fit.covered) {
      out += "does not cover " + fit.arch + " on this host\n";
      continue;
    }
    out += "allows " + std::to_string(fit.allowed) + " of the " + std::to_string(fit.needed) +
           " syscalls needed and " + std::to_string(fit.unused) + " unused";
    if (!fit.denied.empty()) {
      out += "; denies " + std::to_string(fit.denied.size()) + ": " + common::join(fit.denied);
    }
    if (!fit.denied_by_arguments.empty()) {
      out += "; denies the recorded arguments of " + common::join(fit.denied_by_arguments);
    }
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json default_fits_json(const std::vector<DefaultFit>& fits) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& fit : fits) {
    out.push_back({{"name", fit.name},
                   {"version", fit.version},
                   {"arch", fit.arch},
                   {"covered", fit.covered},
                   {"needed", fit.needed},
                   {"allowed", fit.allowed},
                   {"denied", fit.denied},
                   {"denied_by_arguments", fit.denied_by_arguments},
                   {"unused", fit.unused}});
  }
  return out;
}

}  // namespace tailor::agent
