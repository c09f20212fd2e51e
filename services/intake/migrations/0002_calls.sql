-- Calls for cases: their dates, languages, vocabularies, attachment rules, declarations and
-- form (a form definition, proto/schemas/form-definition.json). Partners read them; only
-- administrators write them.
CREATE TABLE intake.calls (
  id                        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  reference_prefix          text        NOT NULL UNIQUE CHECK (reference_prefix ~ '^[A-Z][A-Z0-9]{1,9}$'),
  titles                    jsonb       NOT NULL CHECK (jsonb_typeof(titles) = 'object'),
  descriptions              jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(descriptions) = 'object'),
  opens_at                  timestamptz NOT NULL,
  closes_at                 timestamptz NOT NULL,
  time_zone                 text        NOT NULL,
  grace_minutes             integer     NOT NULL DEFAULT 0 CHECK (grace_minutes BETWEEN 0 AND 10080),
  case_languages            text[]      NOT NULL CHECK (cardinality(case_languages) > 0
                                                        AND case_languages <@ ARRAY['en', 'fr', 'es', 'zh', 'ar']),
  english_abstract_required boolean     NOT NULL DEFAULT true,
  themes                    jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(themes) = 'array'),
  regions                   jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(regions) = 'array'),
  attachment_rules          jsonb       NOT NULL CHECK (jsonb_typeof(attachment_rules) = 'object'),
  declarations              jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(declarations) = 'array'),
  form                      jsonb       NOT NULL CHECK (jsonb_typeof(form) = 'object'),
  version                   integer     NOT NULL DEFAULT 1,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CHECK (closes_at > opens_at)
);

CREATE FUNCTION intake.next_version() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER next_version BEFORE UPDATE ON intake.calls
  FOR EACH ROW EXECUTE FUNCTION intake.next_version();

CREATE FUNCTION intake.ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- Where a call stands by the server's clock: upcoming, open, grace (closed, but submissions
-- are still taken), closed.
CREATE FUNCTION intake.call_status(c intake.calls) RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT CASE WHEN now() < c.opens_at THEN 'upcoming'
              WHEN now() < c.closes_at THEN 'open'
              WHEN now() < c.closes_at + make_interval(mins => c.grace_minutes) THEN 'grace'
              ELSE 'closed' END
$$;

-- A call as the API shows it; `with_form` false for lists.
CREATE FUNCTION intake.call_json(c intake.calls, with_form boolean) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', c.id, 'reference_prefix', c.reference_prefix, 'titles', c.titles,
    'descriptions', c.descriptions, 'opens_at', intake.ts(c.opens_at),
    'closes_at', intake.ts(c.closes_at), 'time_zone', c.time_zone,
    'grace_minutes', c.grace_minutes,
    'accepting_until', intake.ts(c.closes_at + make_interval(mins => c.grace_minutes)),
    'status', intake.call_status(c), 'case_languages', to_jsonb(c.case_languages),
    'english_abstract_required', c.english_abstract_required, 'themes', c.themes,
    'regions', c.regions, 'attachment_rules', c.attachment_rules,
    'declarations', c.declarations, 'version', c.version,
    'created_at', intake.ts(c.created_at), 'updated_at', intake.ts(c.updated_at))
    || CASE WHEN with_form THEN jsonb_build_object('form', c.form) ELSE '{}'::jsonb END
$$;
