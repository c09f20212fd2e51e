-- The review service's schema, created by the migrations runner; it owns:
-- rounds, rubrics, panels, conflicts of interest, assignment, scores, calibration and decisions.
COMMENT ON SCHEMA review IS 'casecall review: rounds, rubrics, panels, conflicts of interest, assignment, scores, calibration and decisions';
