// The rebill command line (DESIGN.md §6): one binary, one subcommand per pipeline action.
#pragma once

namespace rebill::cli {

/// Parse argv, run the subcommand and return the process exit code:
/// 0 success, 1 internal error, 2 bad usage, 3 invalid input or configuration,
/// 4 precondition or conflict.
int Main(int argc, char** argv);

}  // namespace rebill::cli
