"""LTI 1.3 tool side: CareLab launched from an LMS (Moodle, Canvas, ...), Deep Linking and
Assignment and Grade Services. Pure core: no Streamlit; the routes are carelab/web/lti_routes.py.

- registration: the platforms an administrator registered, and the URLs to give the LMS;
- keys: CareLab's RSA signing keys, the JWKS it publishes, rotation;
- platform_keys: each platform's key set, fetched, cached in the database, refreshed;
- launch: OIDC login initiation and the checked launch (id_token) that signs a user in;
- deep_linking: the instructor's pick, returned as a signed LtiDeepLinkingResponse;
- grades: module completion -> the grade outbox -> AGS scores, sent in the background.
"""
