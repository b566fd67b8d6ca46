# JupyterHub for a napkin class on one machine, as The Littlest JupyterHub runs one: the hub
# runs as root, learners are local system users, each learner's server runs as that user
# (LocalProcessSpawner), and everything they run comes from the class directory that
# `scripts/class-setup DIR` made (default /opt/napkin-class): its Python environment, proxy,
# Rust toolchain, napkin-kernel and the read-only shared dependency cache.
#
#   cd /opt/napkin-class/state && /opt/napkin-class/venv/bin/jupyterhub -f /opt/napkin-class/jupyterhub_config.py
#
# napkin's own settings (NAPKIN_SHARED_CACHE, NAPKIN_PATH) are not here: they are in the
# "napkin" kernelspec that class-setup installed into the class venv.
#
# Environment overrides (the class test, tests/py/test_class.py, sets them all):
#   NAPKIN_CLASS_DIR        the class directory (default: this file's directory if it holds a
#                           venv, else /opt/napkin-class)
#   NAPKIN_HUB_STATE        the hub's database, cookie secret and proxy pid (default DIR/state)
#   NAPKIN_HUB_IP / _PORT   where learners connect (default 127.0.0.1:8000; put a TLS proxy
#                           such as Caddy or nginx in front to open it to a network)
#   NAPKIN_HUB_API_PORT     the hub's own port, behind the proxy (default 8081)
#   NAPKIN_PROXY_API_PORT   the proxy's REST API (default 8001)
#   NAPKIN_HUB_AUTH         "pam" (default: local users log in with their system password) or
#                           "shared-password" (one password for every learner, in
#                           NAPKIN_HUB_PASSWORD, 8 characters or more: for tests and short
#                           workshops only, as anyone with it can log in as any learner)
#   NAPKIN_HUB_USERS        comma-separated learners allowed to log in (others the admin adds
#                           on the admin page may log in too)
#   NAPKIN_HUB_ADMINS       comma-separated admins (PAM only: shared-password logs in no admin)
#   NAPKIN_HUB_ADMIN_TOKEN  an API token for scripts: a service "napkin-admin" that may create
#                           users and start and stop their servers

import os
import pathlib

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)
env = os.environ.get

here = pathlib.Path(__file__).resolve().parent
class_dir = pathlib.Path(
    env("NAPKIN_CLASS_DIR") or (here if (here / "venv").is_dir() else "/opt/napkin-class")
)
state = pathlib.Path(env("NAPKIN_HUB_STATE") or class_dir / "state")
venv = class_dir / "venv"

# Network: only the proxy is reached by learners; the hub and the proxy's API stay local.
ip = env("NAPKIN_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{ip}:{env('NAPKIN_HUB_PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env('NAPKIN_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('NAPKIN_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(class_dir / "proxy/node_modules/.bin/configurable-http-proxy")]

# The hub's state, readable by root only (class-setup makes DIR/state 0700).
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

# Who may log in.
if env("NAPKIN_HUB_AUTH", "pam") == "shared-password":
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = env("NAPKIN_HUB_PASSWORD")
else:
    c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allow_existing_users = True  # learners the admin adds on /hub/admin
names = lambda var: {n.strip() for n in env(var, "").split(",") if n.strip()}  # noqa: E731
c.Authenticator.allowed_users = names("NAPKIN_HUB_USERS")
c.Authenticator.admin_users = names("NAPKIN_HUB_ADMINS")
if env("NAPKIN_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services = [{"name": "napkin-admin", "api_token": env("NAPKIN_HUB_ADMIN_TOKEN")}]
    c.JupyterHub.load_roles = [
        {"name": "napkin-admin", "scopes": ["admin:users", "admin:servers"], "services": ["napkin-admin"]}
    ]

# Each learner's server: the class venv's JupyterLab, run as that learner in their home. The
# hub's own environment is not passed on: PATH gives the class's Rust toolchain (rustc and cargo
# run as the learner, the same toolchain the shared cache was built with), then the venv.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(venv / "bin/jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {
    "PATH": f"{class_dir / 'rust/current/bin'}:{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
}
# A 2-core machine starting many servers at once is slow to answer; the defaults are 60 s / 30 s.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# LocalProcessSpawner enforces no memory or CPU limit: size the machine from the README's
# "Teaching a class" table, or use SystemdSpawner / Kubernetes (the Dockerfile) for limits.
