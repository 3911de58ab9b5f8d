// ReportHtml: a rehearsal's JSON report as one HTML page, for people.
//
// One file with nothing to fetch (no script, no CDN, no font): a table of
// every setting that marks the cheapest one meeting the targets (and each
// that misses them), and per setting two plots drawn as inline SVG: demand
// (players and refused requests a minute) and payloads by state over time.
// Everything it shows is read from the JSON report. Pure function.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace imsemu::rehearse {

std::string ReportHtml(const nlohmann::json& report);

}  // namespace imsemu::rehearse
