FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY conversations ./conversations
COPY bot ./bot
COPY backend ./backend
COPY locales ./locales
RUN pip install --no-cache-dir -e . && pybabel compile -d locales
ENV MASSAR_LOCALES_DIR=/app/locales
EXPOSE 8000
CMD ["sh", "-c", "massar db upgrade && massar serve --host 0.0.0.0 --port 8000"]
