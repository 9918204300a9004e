#include <iostream>

#include "llmsize/cli/run.h"

int main(int argc, char** argv) { return llmsize::cli::run(argc, argv, std::cout, std::cerr); }
