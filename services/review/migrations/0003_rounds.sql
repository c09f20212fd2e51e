-- A call's review goes through rounds: screening (eligibility), scoring (by a rubric) and final
-- (the panel's decisions), at most one of each kind per call. A round is open or anonymous
-- (what judges may see of the submitter), and open until it is closed. A scoring round has a
-- rubric, versioned: every change makes a new version and all are kept, so that each review
-- can name the version it was made with.
CREATE TABLE review.rounds (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  call_id    uuid        NOT NULL,
  kind       text        NOT NULL CHECK (kind IN ('screening', 'scoring', 'final')),
  blind      text        NOT NULL CHECK (blind IN ('open', 'anonymous')),
  status     text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  version    integer     NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid        NOT NULL,
  UNIQUE (call_id, kind)
);

CREATE TABLE review.rubrics (
  round_id   uuid        NOT NULL REFERENCES review.rounds (id),
  version    integer     NOT NULL CHECK (version > 0),
  definition jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid        NOT NULL,
  PRIMARY KEY (round_id, version)
);

-- A round as the API shows it, with its current rubric and the list of its rubric's versions.
CREATE FUNCTION review.round_json(r review.rounds) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', r.id, 'call_id', r.call_id, 'kind', r.kind, 'blind', r.blind, 'status', r.status,
    'version', r.version,
    'created_at', to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'rubric', (SELECT jsonb_build_object('version', b.version, 'definition', b.definition)
               FROM review.rubrics b WHERE b.round_id = r.id ORDER BY b.version DESC LIMIT 1),
    'rubric_versions', coalesce((SELECT jsonb_agg(jsonb_build_object(
        'version', b.version,
        'created_at', to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'created_by', b.created_by) ORDER BY b.version)
      FROM review.rubrics b WHERE b.round_id = r.id), '[]'::jsonb))
$$;
