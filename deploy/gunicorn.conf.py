"""gunicorn configuration of Parcours (docs/deploy/README.md), used by deploy/systemd/parcours.service:

    gunicorn --config /opt/parcours/deploy/gunicorn.conf.py

Behind nginx on the same machine (deploy/nginx/parcours.conf); scripts/deploy_check.py starts it with this
file. The access log names no query string (a search for a name would be in it): method, path, status.
"""

import multiprocessing

wsgi_app = "parcours.wsgi:application"
# Loopback only: nginx is the only client (PARCOURS_TRUSTED_PROXIES=127.0.0.1). On several app servers
# behind a load balancer, bind the private address instead (docs/deploy/scaling.md).
bind = "127.0.0.1:8000"
# Sync workers: 2 per core plus one, at most 9 (each holds a persistent PostgreSQL connection).
workers = min(2 * multiprocessing.cpu_count() + 1, 9)
worker_class = "sync"
timeout = 60
graceful_timeout = 30
# Recycle workers now and then (memory), not all at once.
max_requests = 2000
max_requests_jitter = 200
# Documents and files the workers write are readable by the service group only.
umask = 0o027
# Logs to standard output and error: journald under systemd (journalctl -u parcours).
accesslog = "-"
errorlog = "-"
loglevel = "warning"
# %(U)s is the path without its query string; %(h)s is the proxy's address (nginx logs the client's).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# Only the local proxy may say the request came over HTTPS (Django reads X-Forwarded-Proto from it).
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "parcours"
