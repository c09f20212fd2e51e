-- The publish service's schema, created by the migrations runner; it owns:
-- editions of selected cases, the public collection, search, feeds, OAI-PMH and exports.
COMMENT ON SCHEMA publish IS 'casecall publish: editions of selected cases, the public collection, search, feeds, OAI-PMH and exports';
