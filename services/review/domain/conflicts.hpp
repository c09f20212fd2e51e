// Conflicts of interest between judges and cases. Automatic ones come from organisations: a
// judge is in conflict with a case when the judge's organisation, or any of its ancestors or
// descendants, is the submitting organisation or one the case lists as a partner of the
// project. Declared ones (by the judge, with a reason, or by an administrator) are added by the
// caller. Every conflict carries its reason, so that all can be shown before assignment. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace casecall::review::domain {

// An organisation with its family, as intake's GET /internal/v1/organisations/{id} gives it.
struct organisation_family {
  std::string id;
  std::vector<std::string> ancestors;
  std::vector<std::string> descendants;
};

struct case_organisations {
  std::string submitting;             // the organisation that submitted the case
  std::vector<std::string> partners;  // organisations named as the project's partners
};

struct organisational_conflict {
  std::string organisation;  // the case's organisation that conflicts
  std::string role;          // "submitting" or "partner"
  std::string relation;      // "same", "ancestor" or "descendant" (of the judge's organisation)
};

// The first organisational conflict between a judge of `judge_org` and the case, submitting
// organisation first, then partners in order; none when there is none.
std::optional<organisational_conflict> find_organisational_conflict(const organisation_family& judge_org,
                                                                    const case_organisations& c);

// A sentence for the administrator: "The judge's organisation is a descendant of the
// submitting organisation <id>."
std::string describe(const organisational_conflict& c);

}  // namespace casecall::review::domain
