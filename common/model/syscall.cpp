#include "common/model/syscall.h"

#include "common/util/enum_names.h"

namespace tailor::common {
namespace {

constexpr EnumNames<Phase, 3> kPhaseNames = {{{Phase::workload, "workload"},
                                              {Phase::runtime_filtered, "runtime-filtered"},
                                              {Phase::runtime_setup, "runtime-setup"}}};

}  // namespace

std::string_view phase_name(Phase phase) { return enum_name(kPhaseNames, phase); }

Result<Phase> parse_phase(std::string_view name) { return parse_enum(kPhaseNames, name, "phase"); }

}  // namespace tailor::common
