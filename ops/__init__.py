"""Operate a deployed webstack stack from one command: ``python -m ops <command> --stack dev``.

Commands (each in its own module): ``status`` (:mod:`ops.status`), ``logs`` (:mod:`ops.logs`), ``exec``
(:mod:`ops.shell`), ``run`` (:mod:`ops.run`), ``db`` and ``cache`` (:mod:`ops.tunnel`). They read the
stack's outputs (:mod:`ops.outputs`) and call AWS with boto3 under the caller's credentials
(:mod:`ops.aws`). The IAM actions they call are listed in ``bootstrap/operator_actions.py``.
"""
