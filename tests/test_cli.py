"The `emoxnet` console script as a user runs it."
import subprocess

def run(cmd, *args):
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)

def test_help_lists_commands(emoxnet_cmd):
    r = run(emoxnet_cmd, '--help')
    assert r.returncode == 0, r.stderr
    for c in ('synth', 'data', 'bench'): assert c in r.stdout

def test_no_command_prints_help(emoxnet_cmd):
    r = run(emoxnet_cmd)
    assert r.returncode == 0 and 'usage: emoxnet' in r.stdout

def test_unknown_command_fails_clearly(emoxnet_cmd):
    r = run(emoxnet_cmd, 'frobnicate')
    assert r.returncode == 2 and 'invalid choice' in r.stderr

def test_version(emoxnet_cmd):
    r = run(emoxnet_cmd, '--version')
    assert r.returncode == 0 and r.stdout.startswith('emoxnet ')
