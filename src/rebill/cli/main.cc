#include <cstdio>
#include <exception>

#include "rebill/cli/commands.h"

int main(int argc, char** argv) {
  try {
    return rebill::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rebill: internal error: %s\n", e.what());
    return 1;
  }
}
