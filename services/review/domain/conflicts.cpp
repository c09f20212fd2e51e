#include "review/domain/conflicts.hpp"

#include <algorithm>

namespace casecall::review::domain {

namespace {

std::optional<std::string> relation_to(const organisation_family& judge_org, const std::string& other) {
  if (other.empty()) return std::nullopt;
  if (other == judge_org.id) return "same";
  if (std::find(judge_org.ancestors.begin(), judge_org.ancestors.end(), other) != judge_org.ancestors.end()) return "ancestor";
  if (std::find(judge_org.descendants.begin(), judge_org.descendants.end(), other) != judge_org.descendants.end()) {
    return "descendant";
  }
  return std::nullopt;
}

}  // namespace

std::optional<organisational_conflict> find_organisational_conflict(const organisation_family& judge_org,
                                                                    const case_organisations& c) {
  if (auto r = relation_to(judge_org, c.submitting)) return organisational_conflict{c.submitting, "submitting", *r};
  for (const auto& p : c.partners) {
    if (auto r = relation_to(judge_org, p)) return organisational_conflict{p, "partner", *r};
  }
  return std::nullopt;
}

std::string describe(const organisational_conflict& c) {
  const std::string whose = c.role == "submitting" ? "the submitting organisation " : "the partner organisation ";
  if (c.relation == "same") return "The judge's organisation is " + whose + c.organisation + ".";
  // The case's organisation is an ancestor of the judge's: the judge's is part of it.
  if (c.relation == "ancestor") return "The judge's organisation is part of " + whose + c.organisation + ".";
  return "The judge's organisation includes " + whose + c.organisation + ".";
}

}  // namespace casecall::review::domain
