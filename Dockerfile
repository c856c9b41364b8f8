# The directory's app image: gunicorn serving Django, static files by WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings that load; the real key comes from the environment at run time.
RUN DEVELOPMENT=true python manage.py collectstatic --noinput \
    && useradd --system --home /app directory \
    && chown -R directory /app/staticfiles
USER directory

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "gunicorn.conf.py"]
