-- 006_lti.sql: tracequiz as an LTI 1.3 tool.  The platforms (LMSes) an
-- admin registered, the tool's own signing keys, the logins in flight
-- (state and nonce, used once), who and which course a launch maps to, the
-- links launched and the scores they take (Assignment and Grade Services).

CREATE TABLE lti_platforms (
	id          INTEGER PRIMARY KEY,
	issuer      TEXT NOT NULL,                 -- the platform's iss
	client_id   TEXT NOT NULL,                 -- the tool's id at the platform (the tokens' aud)
	auth_url    TEXT NOT NULL,                 -- OIDC authorization endpoint (the login's redirect)
	token_url   TEXT NOT NULL,                 -- OAuth2 token endpoint (grade services)
	jwks_url    TEXT NOT NULL,                 -- the platform's public keys
	deployments TEXT NOT NULL DEFAULT '[]',    -- JSON array of the deployment ids accepted
	jwks        TEXT,                          -- its key set as last fetched (JSON)
	jwks_fetched INTEGER NOT NULL DEFAULT 0,
	created     INTEGER NOT NULL,
	UNIQUE (issuer, client_id)
);

CREATE TABLE lti_keys (                        -- the tool's RSA keys, published at /lti/jwks
	kid         TEXT PRIMARY KEY,
	private_pem TEXT NOT NULL,
	created     INTEGER NOT NULL,
	retired     INTEGER                        -- NULL: the one that signs; else still published until then
);

CREATE TABLE lti_states (                      -- a login initiated: its state (hashed) and nonce, used once
	state_hash  BLOB PRIMARY KEY,
	nonce       TEXT NOT NULL,
	platform_id INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
	expires     INTEGER NOT NULL
);
CREATE INDEX lti_states_by_expiry ON lti_states(expires);

CREATE TABLE lti_accounts (                    -- a platform's user (sub) is one account
	platform_id INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
	sub         TEXT NOT NULL,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (platform_id, sub)
);

CREATE TABLE lti_contexts (                    -- a platform's course (context) is one course
	platform_id INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
	context_id  TEXT NOT NULL,
	course_id   INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
	PRIMARY KEY (platform_id, context_id)
);

CREATE TABLE lti_links (                       -- a resource link launched: its exercise, where its grades go
	platform_id INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
	link_id     TEXT NOT NULL,                 -- the resource link's id at the platform
	exercise_id INTEGER REFERENCES exercises(id) ON DELETE CASCADE,
	lineitem    TEXT,                          -- its grade column (AGS line item URL); NULL: no grades taken
	PRIMARY KEY (platform_id, link_id)
);
CREATE INDEX lti_links_by_exercise ON lti_links(exercise_id);

CREATE TABLE lti_link_users (                  -- who launched a link: whose scores it takes
	platform_id INTEGER NOT NULL,
	link_id     TEXT NOT NULL,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (platform_id, link_id, user_id),
	FOREIGN KEY (platform_id, link_id) REFERENCES lti_links(platform_id, link_id) ON DELETE CASCADE
);

CREATE TABLE lti_scores (                      -- a student's best score to send: kept until the platform took it
	id          INTEGER PRIMARY KEY,
	platform_id INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
	lineitem    TEXT NOT NULL,
	sub         TEXT NOT NULL,                 -- the student at the platform
	exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	version     INTEGER NOT NULL DEFAULT 1,    -- one more at each new submission: a send of an older one keeps the row
	tries       INTEGER NOT NULL DEFAULT 0,
	next_try    INTEGER NOT NULL,
	last_error  TEXT,
	UNIQUE (lineitem, sub)
);
CREATE INDEX lti_scores_due ON lti_scores(next_try);
