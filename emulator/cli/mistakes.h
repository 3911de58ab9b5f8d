// What the command line says to a mistyped command or flag: the mistake
// named, with the nearest right spelling. CLI11 alone says only "A
// subcommand is required" or "The following arguments were not expected".
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace imsemu::cli {

// "unknown command 'serv' (did you mean 'serve'?)".
std::string UnknownCommand(const std::string& name, const std::vector<std::string>& commands);

// The first argument after the command (argv[2] on, up to "--") that looks
// like a flag `command` does not have, named with a suggestion; "" if none.
std::string UnknownFlag(const CLI::App& command, int argc, char** argv);

}  // namespace imsemu::cli
