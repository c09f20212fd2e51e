// Organisational conflicts: the judge's organisation, its ancestors and its descendants
// against the case's submitting organisation and its partners, with the reason shown.
#include "review/domain/conflicts.hpp"

#include <gtest/gtest.h>

namespace casecall::review::domain {
namespace {

// FAO headquarters, with a regional office under it and a country office under that.
const organisation_family fao_regional{"fao-rap", {"fao"}, {"fao-thailand"}};

TEST(conflicts, the_same_organisation_an_ancestor_or_a_descendant_submitting_is_a_conflict) {
  auto same = find_organisational_conflict(fao_regional, {"fao-rap", {}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->relation, "same");
  EXPECT_EQ(same->role, "submitting");
  EXPECT_EQ(describe(*same), "The judge's organisation is the submitting organisation fao-rap.");
  auto up = find_organisational_conflict(fao_regional, {"fao", {}});
  ASSERT_TRUE(up);
  EXPECT_EQ(up->relation, "ancestor");
  EXPECT_EQ(describe(*up), "The judge's organisation is part of the submitting organisation fao.");
  auto down = find_organisational_conflict(fao_regional, {"fao-thailand", {}});
  ASSERT_TRUE(down);
  EXPECT_EQ(down->relation, "descendant");
  EXPECT_EQ(describe(*down), "The judge's organisation includes the submitting organisation fao-thailand.");
}

TEST(conflicts, a_partner_of_the_project_counts_as_the_submitter_does_and_the_submitter_is_named_first) {
  auto partner = find_organisational_conflict(fao_regional, {"village-coop", {"ngo-1", "fao-thailand"}});
  ASSERT_TRUE(partner);
  EXPECT_EQ(partner->role, "partner");
  EXPECT_EQ(partner->organisation, "fao-thailand");
  EXPECT_EQ(describe(*partner), "The judge's organisation includes the partner organisation fao-thailand.");
  auto both = find_organisational_conflict(fao_regional, {"fao", {"fao-thailand"}});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->role, "submitting");
}

TEST(conflicts, unrelated_organisations_and_siblings_are_no_conflict) {
  // A sibling (another regional office of FAO) is neither ancestor nor descendant.
  EXPECT_FALSE(find_organisational_conflict(fao_regional, {"fao-rlc", {"wfp"}}));
  EXPECT_FALSE(find_organisational_conflict(fao_regional, {"village-coop", {}}));
  EXPECT_FALSE(find_organisational_conflict(fao_regional, {"", {""}}));
}

}  // namespace
}  // namespace casecall::review::domain
