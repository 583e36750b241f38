//! Extractors that answer bad input with problem+json saying what was wrong, instead of axum's plain-text
//! rejections.

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// A JSON body (request) or JSON answer (response). A malformed, mistyped or oversize body is rejected with a
/// problem+json whose `detail` names the failing field and position (400/415/422/413 as appropriate).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => {
                Err(Problem::new(rejection.status(), "invalid-body", "Invalid Request Body", rejection.body_text()))
            }
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::post;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    #[derive(serde::Deserialize, Serialize)]
    struct Target {
        url: String,
    }

    async fn post_body(content_type: &str, body: &'static str) -> (u16, serde_json::Value) {
        let app = Router::new().route("/t", post(|Json(t): Json<Target>| async move { Json(t) }));
        let request = Request::post("/t").header("content-type", content_type).body(Body::from(body)).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn bad_bodies_are_problems_that_say_what_is_wrong() {
        let (status, body) = post_body("application/json", r#"{"url": 5}"#).await;
        assert_eq!(status, 422);
        assert!(body["detail"].as_str().unwrap().contains("url: invalid type"), "{body}");
        let (status, body) = post_body("application/json", "{oops").await;
        assert_eq!(status, 400);
        assert!(body["detail"].as_str().unwrap().contains("line 1 column 2"), "{body}");
        let (status, _) = post_body("text/plain", "{}").await;
        assert_eq!(status, 415);
        let (status, body) = post_body("application/json", r#"{"url":"https://x"}"#).await;
        assert_eq!((status, body["url"].as_str()), (200, Some("https://x")));
    }
}
