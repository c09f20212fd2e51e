-- Organisations, accounts, sessions and tokens, shared by every service through libs/identity.
-- No secret is stored in the clear: session, API, e-mail and invitation tokens are kept as
-- their SHA-256, passwords as argon2id strings.
COMMENT ON SCHEMA identity IS 'casecall identity: organisations, users, sessions, API tokens, invitations';

CREATE TABLE identity.organisations (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  names         jsonb       NOT NULL CHECK (jsonb_typeof(names) = 'object' AND names <> '{}'),
  country       text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  kind          text        NOT NULL CHECK (kind IN ('government', 'ngo', 'international_organisation',
                                                     'company', 'university', 'research_institute',
                                                     'individual')),
  purpose       text        NOT NULL CHECK (purpose IN ('partner', 'judging')),
  parent_id     uuid        REFERENCES identity.organisations (id),
  email_domains text[]      NOT NULL DEFAULT '{}',
  website       text,
  address       text,
  phone         text,
  version       integer     NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX organisations_parent ON identity.organisations (parent_id);

CREATE TABLE identity.users (
  id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email             text        NOT NULL,
  name              text        NOT NULL,
  language          text        NOT NULL CHECK (language IN ('en', 'fr', 'es', 'zh', 'ar')),
  role              text        NOT NULL CHECK (role IN ('admin', 'partner', 'judge')),
  organisation_id   uuid        REFERENCES identity.organisations (id),
  organisation_role text        CHECK (organisation_role IN ('owner', 'member')),
  position          text,
  password_hash     text        CHECK (password_hash LIKE '$argon2id$%'),
  email_verified_at timestamptz,
  disabled_at       timestamptz,
  version           integer     NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'partner') = (organisation_role IS NOT NULL)),
  CHECK (role = 'admin' OR organisation_id IS NOT NULL)
);
CREATE UNIQUE INDEX users_email ON identity.users (lower(email));

-- Every change to an organisation or an account is a new version (its ETag).
CREATE FUNCTION identity.next_version() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER next_version BEFORE UPDATE ON identity.organisations
  FOR EACH ROW EXECUTE FUNCTION identity.next_version();
CREATE TRIGGER next_version BEFORE UPDATE ON identity.users
  FOR EACH ROW EXECUTE FUNCTION identity.next_version();
CREATE INDEX users_organisation ON identity.users (organisation_id);

CREATE TABLE identity.sessions (
  id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id        uuid        NOT NULL REFERENCES identity.users (id),
  token_hash     bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  client_address text,
  user_agent     text
);
CREATE INDEX sessions_user ON identity.sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE identity.api_tokens (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid        NOT NULL REFERENCES identity.users (id),
  name         text        NOT NULL,
  token_hash   bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  prefix       text        NOT NULL,
  scopes       text[]      NOT NULL CHECK (scopes <@ ARRAY['read', 'write'] AND cardinality(scopes) > 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON identity.api_tokens (user_id);

-- Single-use links sent by e-mail: address verification and password reset.
CREATE TABLE identity.email_tokens (
  token_hash bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
  purpose    text        NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
  user_id    uuid        NOT NULL REFERENCES identity.users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX email_tokens_user ON identity.email_tokens (user_id);

CREATE TABLE identity.invitations (
  id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash        bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  email             text        NOT NULL,
  name              text,
  language          text        NOT NULL CHECK (language IN ('en', 'fr', 'es', 'zh', 'ar')),
  role              text        NOT NULL CHECK (role IN ('admin', 'partner', 'judge')),
  organisation_id   uuid        REFERENCES identity.organisations (id),
  organisation_role text        CHECK (organisation_role IN ('owner', 'member')),
  invited_by        uuid        NOT NULL REFERENCES identity.users (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz NOT NULL,
  accepted_at       timestamptz,
  accepted_user_id  uuid        REFERENCES identity.users (id),
  revoked_at        timestamptz,
  CHECK ((role = 'partner') = (organisation_role IS NOT NULL)),
  CHECK (role = 'admin' OR organisation_id IS NOT NULL)
);
CREATE INDEX invitations_organisation ON identity.invitations (organisation_id);

-- Attempts that rate limits count: failed logins, requests for a password-reset or a
-- verification mail, and registrations; per account (the SHA-256 of the lower-cased
-- address, never the address as typed) and per client address.
CREATE TABLE identity.attempts (
  id   bigserial   PRIMARY KEY,
  kind text        NOT NULL CHECK (kind IN ('login_account', 'login_address', 'reset_account', 'reset_address',
                                            'verify_account', 'verify_address', 'register_address')),
  key  text        NOT NULL,
  at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attempts_key ON identity.attempts (kind, key, at);
CREATE INDEX attempts_at ON identity.attempts (at);

-- JSON shapes the API returns, in one place.
CREATE FUNCTION identity.ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE FUNCTION identity.user_json(u identity.users) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', u.id, 'email', u.email, 'name', u.name, 'language', u.language, 'role', u.role,
    'organisation_id', u.organisation_id, 'organisation_role', u.organisation_role,
    'position', u.position, 'email_verified', u.email_verified_at IS NOT NULL,
    'disabled', u.disabled_at IS NOT NULL, 'version', u.version, 'created_at', identity.ts(u.created_at))
$$;

CREATE FUNCTION identity.organisation_json(o identity.organisations) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', o.id, 'names', o.names, 'country', o.country, 'kind', o.kind, 'purpose', o.purpose,
    'parent_id', o.parent_id, 'email_domains', to_jsonb(o.email_domains), 'website', o.website,
    'address', o.address, 'phone', o.phone, 'version', o.version,
    'created_at', identity.ts(o.created_at), 'updated_at', identity.ts(o.updated_at))
$$;

CREATE FUNCTION identity.invitation_json(i identity.invitations) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', i.id, 'email', i.email, 'name', i.name, 'language', i.language, 'role', i.role,
    'organisation_id', i.organisation_id, 'organisation_role', i.organisation_role,
    'invited_by', i.invited_by, 'created_at', identity.ts(i.created_at),
    'expires_at', identity.ts(i.expires_at),
    'status', CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted'
                   WHEN i.revoked_at IS NOT NULL THEN 'revoked'
                   WHEN i.expires_at <= now() THEN 'expired'
                   ELSE 'pending' END)
$$;

CREATE FUNCTION identity.api_token_json(t identity.api_tokens) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
    'id', t.id, 'name', t.name, 'prefix', t.prefix, 'scopes', to_jsonb(t.scopes),
    'created_at', identity.ts(t.created_at), 'last_used_at', identity.ts(t.last_used_at),
    'expires_at', identity.ts(t.expires_at), 'revoked', t.revoked_at IS NOT NULL)
$$;
