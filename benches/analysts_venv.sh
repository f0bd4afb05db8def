# Sourced by the peers scripts: one throwaway venv with the Python tools CRM analysts use
# (lifetimes, scikit-learn, statsmodels, pandas, recordlinkage), made on first use. Sets $py.
work=${RAPPORT_BENCH_DIR:-/tmp/rapport-peers}
venv="$work/venv-analysts"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet lifetimes pandas scikit-learn statsmodels
fi
if ! "$venv/bin/python" -c "import recordlinkage" 2>/dev/null; then
    "$venv/bin/pip" install --quiet recordlinkage
fi
py="$venv/bin/python"
