-- A round's panel: judges (identity users with the judge role, each affiliated with one
-- organisation), with how many cases each can take in the round, the themes they know and the
-- languages they read (both preferred, not required, when cases are assigned).
CREATE TABLE review.panel_members (
  round_id  uuid        NOT NULL REFERENCES review.rounds (id),
  user_id   uuid        NOT NULL,
  capacity  integer     NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
  themes    text[]      NOT NULL DEFAULT '{}',
  languages text[]      NOT NULL DEFAULT '{}',
  added_at  timestamptz NOT NULL DEFAULT now(),
  added_by  uuid        NOT NULL,
  PRIMARY KEY (round_id, user_id)
);
