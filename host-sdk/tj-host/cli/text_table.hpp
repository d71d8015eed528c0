// Results JSON as a readable table for `tj-host query --format text`.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace tjhost {

std::string render_text(const boost::json::value& results);

}  // namespace tjhost
