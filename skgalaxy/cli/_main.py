"""Running the ``skgalaxy`` command: one-line errors, warnings and thread limits."""

import os
import signal
import sys
import threading
import warnings

from ._errors import CLIError
from ._parser import PROG, build_parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it cleans up as Ctrl-C does.

    A KeyboardInterrupt, so every ``except KeyboardInterrupt`` cleanup (and
    atomic writes' removal of their temporary file) runs for it too.
    """


def _on_sigterm(signum, frame):
    raise Terminated()


class _SigtermHandler:
    """Install the SIGTERM handler for the command, and restore the old one.

    Only the command line does this: the API leaves signals to its caller.
    """

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, _on_sigterm)
            self.installed = True
        else:
            self.installed = False
        return self

    def __exit__(self, *exc):
        if self.installed:
            signal.signal(
                signal.SIGTERM,
                signal.SIG_DFL if self.previous is None else self.previous,
            )


def _one_line(exc):
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError) and exc.args:
        text = f"missing key {exc.args[0]!r}"
    return " ".join(text.split())


def _show_warning(message, category, filename, lineno, file=None, line=None):
    name = category.__name__
    text = " ".join(str(message).split())
    print(f"{PROG}: warning: {text} ({name})", file=sys.stderr)


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _threads(n_jobs):
    """Threads for BLAS and torch: --n-jobs, else OMP_NUM_THREADS, else 1.

    One thread by default: on a shared machine, BLAS and OpenMP threads that
    wait for each other spin and can make a fit several times slower.
    """
    if n_jobs is not None:
        return (os.cpu_count() or 1) if n_jobs < 0 else max(1, n_jobs)
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "1")))
    except ValueError:
        return 1


class _ThreadLimits:
    """Limit BLAS/OpenMP/torch threads for the command, and restore them after."""

    def __init__(self, threads):
        self.threads = threads

    def __enter__(self):
        # Libraries loaded later read the environment; loaded ones are limited
        # through threadpoolctl (and torch through its own setting).
        self.saved_env = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
        for name in _THREAD_VARIABLES:
            os.environ[name] = str(self.threads)
        from threadpoolctl import threadpool_limits

        self.limits = threadpool_limits(limits=self.threads)
        torch = sys.modules.get("torch")
        self.torch_threads = torch.get_num_threads() if torch else None
        if torch:
            torch.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc):
        self.limits.restore_original_limits()
        torch = sys.modules.get("torch")
        if torch and self.torch_threads:
            torch.set_num_threads(self.torch_threads)
        for name, value in self.saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv=None):
    """Run the ``skgalaxy`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        The exit status: 0 on success, 1 when the command fails (one line on
        standard error, ``skgalaxy: error: ...``), 2 for bad arguments, 130
        when interrupted (Ctrl-C), 143 when terminated (SIGTERM).

    Examples
    --------
    >>> from skgalaxy.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    skgalaxy ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, bad arguments
        return exc.code if isinstance(exc.code, int) else 1
    if args.command is None:
        parser.print_help()
        return 0
    debug = bool(os.environ.get("SKGALAXY_DEBUG"))
    with warnings.catch_warnings():
        # The command is the application: it shows each warning once, as a line.
        warnings.simplefilter("default")
        if not debug:
            warnings.showwarning = _show_warning
        try:
            with (
                _SigtermHandler(),
                _ThreadLimits(_threads(getattr(args, "n_jobs", None))),
            ):
                return args.func(args) or 0
        except BrokenPipeError:
            # The reader went away (``skgalaxy predict ... -o - | head``): stop
            # quietly, and keep Python from complaining when it flushes stdout.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        except Terminated:
            print(f"{PROG}: error: terminated", file=sys.stderr)
            return 143
        except KeyboardInterrupt:
            print(f"{PROG}: error: interrupted", file=sys.stderr)
            return 130
        except (CLIError, OSError, ValueError, TypeError, ImportError) as exc:
            if debug:
                raise
            print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
            return 1
        except Exception as exc:  # a bug: still one line, the traceback on demand
            if debug:
                raise
            print(
                f"{PROG}: error: unexpected {type(exc).__name__}: {_one_line(exc)} "
                "(set SKGALAXY_DEBUG=1 to see the traceback)",
                file=sys.stderr,
            )
            return 1
