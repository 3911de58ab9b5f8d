#include "emulator/cli/mistakes.h"

#include <algorithm>

#include "emulator/util/suggest.h"

namespace imsemu::cli {

std::string UnknownCommand(const std::string& name, const std::vector<std::string>& commands) {
  return "unknown command '" + name + "'" + DidYouMean(name, commands);
}

std::string UnknownFlag(const CLI::App& command, int argc, char** argv) {
  std::vector<std::string> flags;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) flags.push_back("--" + name);
  }
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (!arg.starts_with("--")) continue;
    arg = arg.substr(0, arg.find('='));
    if (std::find(flags.begin(), flags.end(), arg) == flags.end()) {
      return "unknown flag '" + arg + "'" + DidYouMean(arg, flags);
    }
  }
  return "";
}

}  // namespace imsemu::cli
