"""What a training job shows a person: ``output/data/report.html`` and the model card.

``document`` holds the page's building blocks as plain data (sections of tables, figures and
text; a figure is a drawing function, so building one needs no plotting library). Tasks pick
their own sections from the small generic builders in ``classes``, ``values``, ``entities`` and
``generation``; ``run`` builds the sections every job has (the run, training curves, results).
``page`` renders the HTML with matplotlib (Agg backend, imported only there) and Jinja2;
``model_card`` writes the Hugging Face model card. Nothing here imports training or serving.
"""
