#include "intake/request_util.hpp"

namespace casecall::intake {

void require_call_open(std::string_view call_status) {
  if (call_status == "upcoming") fail(409, "call_not_open", "Call not open yet", "This call does not take cases yet.");
  if (call_status == "closed") {
    fail(409, "call_closed", "Call closed", "This call has closed: its cases can no longer be changed.");
  }
}

}  // namespace casecall::intake
