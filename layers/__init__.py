"""Map layers: ``geo`` results turned into styled folium layers (no streamlit here)."""
