"""The Streamlit dashboard (thin: widgets, layout, plots of sim results)."""
