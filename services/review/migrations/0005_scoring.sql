-- Conflicts of interest a judge or an administrator declares, with the reason. (Conflicts
-- through organisations are worked out from identity's organisations each time, never stored,
-- so that a change of affiliation counts at once.) A conflict is between a judge and a case,
-- whatever the round.
CREATE TABLE review.declared_conflicts (
  case_id     uuid        NOT NULL REFERENCES review.cases (case_id),
  user_id     uuid        NOT NULL,
  reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  declared_by uuid        NOT NULL,
  declared_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, user_id)
);

-- Which judge reviews which case in a round: made by the solver or by an administrator.
CREATE TABLE review.assignments (
  round_id    uuid        NOT NULL REFERENCES review.rounds (id),
  case_id     uuid        NOT NULL REFERENCES review.cases (case_id),
  user_id     uuid        NOT NULL,
  source      text        NOT NULL CHECK (source IN ('solver', 'manual')),
  assigned_at timestamptz NOT NULL DEFAULT now(),
  assigned_by uuid        NOT NULL,
  PRIMARY KEY (round_id, case_id, user_id)
);
CREATE INDEX assignments_judge ON review.assignments (user_id, round_id);

-- A judge's review of an assigned case: a draft until submitted, revisable until the round
-- closes. Scoring rounds hold scores by criterion (checked against the rubric version named);
-- screening rounds hold eligibility and its reason. Goes when its assignment goes.
CREATE TABLE review.reviews (
  round_id             uuid        NOT NULL,
  case_id              uuid        NOT NULL,
  user_id              uuid        NOT NULL,
  status               text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
  version              integer     NOT NULL DEFAULT 1 CHECK (version > 0),
  rubric_version       integer,
  scores               jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(scores) = 'object'),
  confidence           integer     CHECK (confidence BETWEEN 1 AND 5),
  comment_to_panel     text        NOT NULL DEFAULT '',
  comment_to_submitter text        NOT NULL DEFAULT '',
  eligible             boolean,
  reason               text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  submitted_at         timestamptz,
  PRIMARY KEY (round_id, case_id, user_id),
  FOREIGN KEY (round_id, case_id, user_id) REFERENCES review.assignments ON DELETE CASCADE
);

-- The panel's discussion of a case in a round.
CREATE TABLE review.discussion_posts (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  round_id   uuid        NOT NULL REFERENCES review.rounds (id),
  case_id    uuid        NOT NULL REFERENCES review.cases (case_id),
  user_id    uuid        NOT NULL,
  body       text        NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX discussion_case ON review.discussion_posts (round_id, case_id, created_at);

-- The administrators' decision on a case in a round, with its reason; released to the
-- submitting organisation once the round is closed.
CREATE TABLE review.decisions (
  round_id    uuid        NOT NULL REFERENCES review.rounds (id),
  case_id     uuid        NOT NULL REFERENCES review.cases (case_id),
  decision    text        NOT NULL CHECK (decision IN ('accept', 'shortlist', 'reject', 'advance')),
  reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 5000),
  decided_by  uuid        NOT NULL,
  decided_at  timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  PRIMARY KEY (round_id, case_id)
);

-- What closing a round froze: its decision record (domain/record.hpp), as the text that was
-- hashed, never changed afterwards.
CREATE TABLE review.records (
  round_id  uuid        PRIMARY KEY REFERENCES review.rounds (id),
  record    text        NOT NULL,
  sha256    text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  closed_at timestamptz NOT NULL,
  closed_by uuid        NOT NULL
);

CREATE FUNCTION review.records_are_frozen() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'a decision record is never changed or deleted' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER records_frozen BEFORE UPDATE OR DELETE ON review.records
  FOR EACH ROW EXECUTE FUNCTION review.records_are_frozen();

-- The cases of a round: for the call's first round, its submitted cases; for a later round,
-- those the previous round (screening, then scoring, then final) decided to advance or
-- shortlist, once it is closed (until then, none). Withdrawn cases are never in a round.
CREATE FUNCTION review.round_cases(round uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE
AS $$
  WITH r AS (SELECT id, call_id, array_position(ARRAY['screening', 'scoring', 'final'], kind) AS pos
             FROM review.rounds WHERE id = round),
       previous AS (SELECT p.id, p.status FROM review.rounds p, r
                    WHERE p.call_id = r.call_id
                      AND array_position(ARRAY['screening', 'scoring', 'final'], p.kind) < r.pos
                    ORDER BY array_position(ARRAY['screening', 'scoring', 'final'], p.kind) DESC LIMIT 1)
  SELECT c.case_id FROM review.cases c, r
  WHERE c.call_id = r.call_id AND c.status = 'submitted'
    AND (NOT EXISTS (SELECT 1 FROM previous)
         OR EXISTS (SELECT 1 FROM review.decisions d, previous
                    WHERE d.round_id = previous.id AND previous.status = 'closed' AND d.case_id = c.case_id
                      AND d.decision IN ('advance', 'shortlist')))
$$;

-- An organisation's family: its ancestors and its descendants (not itself), with the relation.
CREATE FUNCTION review.organisation_family(org uuid) RETURNS TABLE (organisation_id uuid, relation text)
LANGUAGE sql STABLE
AS $$
  WITH RECURSIVE up AS (SELECT parent_id AS id FROM identity.organisations WHERE id = org AND parent_id IS NOT NULL
                        UNION SELECT o.parent_id FROM identity.organisations o JOIN up ON o.id = up.id
                        WHERE o.parent_id IS NOT NULL),
                 down AS (SELECT id FROM identity.organisations WHERE parent_id = org
                          UNION SELECT o.id FROM identity.organisations o JOIN down ON o.parent_id = down.id)
  SELECT id, 'ancestor' FROM up UNION ALL SELECT id, 'descendant' FROM down
$$;

-- The organisations a case names: the submitting one, then its partners, each partner being
-- every organisation known to identity whose name, in any language, is the partner's name
-- (ignoring case and surrounding spaces).
CREATE FUNCTION review.case_organisations(c uuid) RETURNS TABLE (organisation_id uuid, role text, ordinal bigint)
LANGUAGE sql STABLE
AS $$
  SELECT organisation_id, 'submitting', 0 FROM review.cases WHERE case_id = c AND organisation_id IS NOT NULL
  UNION ALL
  SELECT * FROM (
  SELECT DISTINCT ON (o.id) o.id, 'partner', p.ordinal
  FROM review.cases k
  CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(k.content->'answers'->'partners')
                                            WHEN 'array' THEN k.content->'answers'->'partners' ELSE '[]' END)
                     WITH ORDINALITY AS p(item, ordinal)
  JOIN identity.organisations o
    ON EXISTS (SELECT 1 FROM jsonb_each_text(o.names) n
               WHERE lower(btrim(n.value)) = lower(btrim(p.item->>'name')))
  WHERE k.case_id = c AND jsonb_typeof(p.item) = 'object'
  ORDER BY o.id, p.ordinal) partners
$$;
