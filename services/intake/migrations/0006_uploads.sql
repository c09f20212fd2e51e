-- Uploads (tus): each is bound to a case and an attachment kind from its creation. While it
-- arrives its bytes sit in the upload folder's partial/<id>; `offset` is the part made durable
-- (fsynced) and acknowledged. Once whole and of an allowed type it is an attachment of the
-- case, its bytes in the content-addressed store under `sha256`. Rows are kept after an
-- upload ends (terminated, expired, refused), so that its URL answers 410 and the case's
-- versions keep naming what they covered.
CREATE TABLE intake.uploads (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id         uuid        NOT NULL REFERENCES intake.cases (id),
  organisation_id uuid        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('photo', 'document', 'video')),
  filename        text        NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  declared_type   text,
  length          bigint      NOT NULL CHECK (length >= 0),
  "offset"        bigint      NOT NULL DEFAULT 0 CHECK ("offset" >= 0 AND "offset" <= length),
  status          text        NOT NULL DEFAULT 'receiving'
                              CHECK (status IN ('receiving', 'complete', 'terminated', 'expired', 'refused')),
  media_type      text,
  sha256          text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_by      uuid        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  completed_at    timestamptz,
  ended_at        timestamptz,
  -- A finished upload keeps its digest after it leaves the case: submitted versions name it.
  CHECK (status <> 'complete' OR (sha256 IS NOT NULL AND media_type IS NOT NULL AND "offset" = length))
);
CREATE INDEX uploads_case ON intake.uploads (case_id, kind) WHERE status IN ('receiving', 'complete');
CREATE INDEX uploads_expiring ON intake.uploads (expires_at) WHERE status = 'receiving';

-- A case's attachments change apart from its answers (uploads run beside the editing, and
-- must not make a draft's If-Match stale), so they have their own counter; a submission
-- records both.
ALTER TABLE intake.cases ADD COLUMN attachments_version integer NOT NULL DEFAULT 0;
ALTER TABLE intake.cases ADD COLUMN submitted_attachments_version integer;
DROP TRIGGER next_version ON intake.cases;
CREATE TRIGGER next_version BEFORE UPDATE ON intake.cases
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'attachments_version') IS DISTINCT FROM (to_jsonb(NEW) - 'attachments_version'))
  EXECUTE FUNCTION intake.next_version();

CREATE FUNCTION intake.upload_json(u intake.uploads) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', u.id, 'kind', u.kind, 'filename', u.filename, 'status', u.status,
    'length', u.length, 'offset', u."offset", 'media_type', u.media_type, 'sha256', u.sha256,
    'created_at', intake.ts(u.created_at),
    'expires_at', CASE WHEN u.status = 'receiving' THEN intake.ts(u.expires_at) END,
    'upload_url', '/api/intake/v1/uploads/' || u.id,
    'download_url', CASE WHEN u.status = 'complete' THEN '/api/intake/v1/attachments/' || u.id END)
$$;

CREATE OR REPLACE FUNCTION intake.case_json(c intake.cases) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', c.id, 'call_id', c.call_id, 'organisation_id', c.organisation_id, 'status', c.status,
    'reference', c.reference, 'answers', c.answers, 'co_authors', c.co_authors,
    'contacts', c.contacts, 'declarations', to_jsonb(c.declarations), 'version', c.version,
    'created_by', c.created_by, 'created_at', intake.ts(c.created_at),
    'updated_at', intake.ts(c.updated_at),
    'attachments', coalesce((SELECT jsonb_agg(intake.upload_json(u) ORDER BY u.created_at, u.id)
                             FROM intake.uploads u
                             WHERE u.case_id = c.id AND u.status IN ('receiving', 'complete')
                               AND (u.status = 'complete' OR u.expires_at > now())), '[]'),
    'last_submission', (SELECT jsonb_build_object('number', v.number, 'submitted_at', intake.ts(v.submitted_at),
                                                  'sha256', v.sha256)
                        FROM intake.case_versions v WHERE v.case_id = c.id AND v.number = c.submitted_number),
    'changed_since_submission', c.submitted_case_version IS NOT NULL
                                AND (c.version <> c.submitted_case_version
                                     OR c.attachments_version <> c.submitted_attachments_version))
$$;
