#!/usr/bin/env bash
# The whole story against a running `npm start`: register, verify the email, log in, chat,
# stream, list conversations, log out. README.md includes this file verbatim, and
# test/e2e/platform/readme-walkthrough.e2e.spec.ts runs it against the compiled server.
set -eu

BASE=${BASE:-http://localhost:8000}
EMAIL=${EMAIL:-dev-$(date +%s)@example.com}
PASSWORD=${PASSWORD:-Correct-Horse-Battery-9}

# json FIELD: prints one top-level field of the JSON document on stdin (no jq needed).
json() {
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)[process.argv[1]]))' "$1"
}

# api METHOD PATH [curl options]: prints the response body and keeps it in $BODY; an HTTP error
# stops the script (--fail-with-body, curl >= 7.76, then set -e).
api() {
  method=$1 path=$2
  shift 2
  rc=0
  BODY=$(curl -sS --fail-with-body -X "$method" "$BASE$path" -H 'content-type: application/json' "$@") || rc=$?
  echo "$BODY"
  return "$rc"
}

step() { printf '\n== %s\n' "$*"; }

step "1. register $EMAIL (a new tenant with its owner)"
api POST /api/v1/auth/register \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"tenant_name\":\"Walkthrough\",\"accept_terms\":true}"

step '2. verify the email'
# Without SMTP_URL no mail is sent: the server log prints the verification command for this
# email, with its token. Paste the token when asked, or set VERIFY_TOKEN (or VERIFY_TOKEN_CMD, a
# command that prints it) beforehand.
if [ -z "${VERIFY_TOKEN:-}" ] && [ -n "${VERIFY_TOKEN_CMD:-}" ]; then
  VERIFY_TOKEN=$(eval "$VERIFY_TOKEN_CMD")
fi
if [ -z "${VERIFY_TOKEN:-}" ]; then
  read -r -p 'Verification token from the server log: ' VERIFY_TOKEN || { echo 'no token' >&2 && exit 1; }
fi
api POST /api/v1/auth/email/verify -d "{\"token\":\"$VERIFY_TOKEN\"}"

step '3. log in: POST /api/v1/auth/token'
api POST /api/v1/auth/token -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}"
ACCESS_TOKEN=$(echo "$BODY" | json access_token)
REFRESH_TOKEN=$(echo "$BODY" | json refresh_token)
AUTH="authorization: Bearer $ACCESS_TOKEN"

step '4. who am I: GET /api/v1/auth/me'
api GET /api/v1/auth/me -H "$AUTH"

step '5. chat: POST /api/v1/chat'
api POST /api/v1/chat -H "$AUTH" -d '{"message":"Hello from the walkthrough"}'
CONVERSATION_ID=$(echo "$BODY" | json conversation_id)

step '6. stream the next turn of that conversation: POST /api/v1/chat/stream (Server-Sent Events)'
curl -sS -N --fail-with-body -X POST "$BASE/api/v1/chat/stream" -H "$AUTH" \
  -H 'content-type: application/json' \
  -d "{\"message\":\"And now streamed\",\"conversation_id\":\"$CONVERSATION_ID\"}"

step '7. list conversations: GET /api/v1/conversations'
api GET /api/v1/conversations -H "$AUTH"

step '8. log out this session: POST /api/v1/auth/logout'
api POST /api/v1/auth/logout -H "$AUTH" -d "{\"refresh_token\":\"$REFRESH_TOKEN\"}"

step '9. the refresh token no longer works: POST /api/v1/auth/refresh answers 401'
REFRESHED=$(curl -sS -w '\nHTTP %{http_code}' -X POST "$BASE/api/v1/auth/refresh" \
  -H 'content-type: application/json' -d "{\"refresh_token\":\"$REFRESH_TOKEN\"}")
echo "$REFRESHED"
case $REFRESHED in
  *'HTTP 401') ;;
  *) echo 'expected 401: the refresh token should be revoked' >&2 && exit 1 ;;
esac
