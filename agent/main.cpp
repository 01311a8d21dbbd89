#include "agent/cli/app.h"

int main(int argc, char** argv) { return tailor::agent::run_cli(argc, argv); }
