-- wrk script for bench/run-publish.sh: every request is a search publish has not answered
-- before (a counter in a parameter the search ignores), so none comes from its kept answers:
-- what a new query costs. Six kinds in turn: two broad English queries, a Chinese one, a
-- negation, a reference, and a word with a filter.
local queries = {"farmers%20prices", "savings", "%E7%94%B5%E5%95%86", "groups%20-village", "B-05000", "farmers&country=KE"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/publish/v1/search?q=" .. queries[n % #queries + 1] .. "&fresh=" .. n)
end
