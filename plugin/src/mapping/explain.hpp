// A Resolution as the JSON that resolve() and `tj-host resolve` print. Never holds a token.
#pragma once

#include "mapping/resolve.hpp"

#include <boost/json/object.hpp>

namespace tjc::mapping {

boost::json::object to_json(const Resolution& resolution);

}  // namespace tjc::mapping
