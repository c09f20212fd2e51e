-- pgbench's side of bench/run-drafts.sh: one draft created and saved, as the rows intake
-- writes for POST /calls/{call_id}/cases then PATCH /cases/{id} — the same INSERT (its
-- statement in services/intake/cases_api.cpp, RETURNING the case's JSON) and an UPDATE of the
-- answers to what the PATCH leaves (the trigger bumps the version), each in its own
-- transaction as the two requests are. Nothing else the service does on the way (the call
-- read FOR SHARE, the token check, the form check, the audit record) is here: this is the
-- database's own rate for these rows, the ceiling the API is compared with.
--
-- Variables (pgbench -D, sent as parameters with -M extended, as libpqxx's exec_params):
-- call_id, organisation_id, user_id, create_answers (the POST's answers), save_answers (the
-- answers after the PATCH), no_items ('[]').
INSERT INTO intake.cases (call_id, organisation_id, answers, co_authors, contacts, declarations, created_by)
  VALUES (:call_id, :organisation_id, CAST(:create_answers AS jsonb), CAST(:no_items AS jsonb), CAST(:no_items AS jsonb),
          ARRAY(SELECT jsonb_array_elements_text(CAST(:no_items AS jsonb))), :user_id)
  RETURNING id AS case_id, intake.case_json(cases)::text AS created_json \gset
UPDATE intake.cases SET answers = CAST(:save_answers AS jsonb) WHERE id = :case_id
  RETURNING intake.case_json(cases)::text AS saved_json \gset
